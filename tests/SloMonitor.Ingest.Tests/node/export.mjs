// Exports a fixed set of spans and metrics with the OpenTelemetry JavaScript SDK to an OTLP/HTTP endpoint.
// Usage: node export.mjs <base-url> <json|protobuf>
// Exits 0 when every export succeeded, 1 otherwise; prints one line per export result.
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPTraceExporter as JsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPMetricExporter as JsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as ProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';

const [baseUrl, protocol] = process.argv.slice(2);
if (!baseUrl || !['json', 'protobuf'].includes(protocol)) {
  console.error('usage: node export.mjs <base-url> <json|protobuf>');
  process.exit(2);
}

let failures = 0;
function checked(exporter, label) {
  const exportOriginal = exporter.export.bind(exporter);
  exporter.export = (items, done) => exportOriginal(items, (result) => {
    console.log(`${label}: ${result.code === 0 ? 'ok' : 'failed ' + (result.error?.message ?? '')}`);
    if (result.code !== 0) failures++;
    done(result);
  });
  return exporter;
}

const json = protocol === 'json';
const resource = resourceFromAttributes({ 'service.name': `node-${protocol}`, 'deployment.environment': 'test' });

const traceExporter = checked(json
  ? new JsonTraceExporter({ url: `${baseUrl}/v1/traces` })
  : new ProtoTraceExporter({ url: `${baseUrl}/v1/traces` }), 'traces');
const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(traceExporter)] });
const tracer = tracerProvider.getTracer('node-harness', '1.0.0');

const nowSeconds = Math.floor(Date.now() / 1000) - 10;
const spans = [
  { name: 'GET /cart', kind: SpanKind.SERVER, status: SpanStatusCode.OK, millis: 250, attributes: { 'http.route': '/cart', 'http.response.status_code': 200 } },
  { name: 'POST /checkout', kind: SpanKind.SERVER, status: SpanStatusCode.ERROR, millis: 1500, attributes: { 'http.route': '/checkout', 'http.response.status_code': 503 } },
  { name: 'charge', kind: SpanKind.CLIENT, status: SpanStatusCode.UNSET, millis: 40, attributes: { 'rpc.grpc.status_code': 0, 'retry': true, 'ratio': 0.5 } },
];
for (const s of spans) {
  const span = tracer.startSpan(s.name, { kind: s.kind, startTime: [nowSeconds, 0], attributes: s.attributes });
  if (s.status !== SpanStatusCode.UNSET) span.setStatus({ code: s.status });
  span.end([nowSeconds, s.millis * 1_000_000]);
}
await tracerProvider.forceFlush();
await tracerProvider.shutdown();

const metricExporter = checked(json
  ? new JsonMetricExporter({ url: `${baseUrl}/v1/metrics` })
  : new ProtoMetricExporter({ url: `${baseUrl}/v1/metrics` }), 'metrics');
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
const meterProvider = new MeterProvider({ resource, readers: [reader] });
const meter = meterProvider.getMeter('node-harness');
const counter = meter.createCounter('node.requests');
const histogram = meter.createHistogram('node.latency', { unit: 's', advice: { explicitBucketBoundaries: [0.1, 0.5, 1] } });
counter.add(7, { route: '/cart' });
histogram.record(0.05);
histogram.record(0.3);
await meterProvider.forceFlush();
counter.add(5, { route: '/cart' });
histogram.record(2);
await meterProvider.forceFlush();
await meterProvider.shutdown();

process.exit(failures === 0 ? 0 : 1);
