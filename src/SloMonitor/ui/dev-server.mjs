// Serves the built UI with the JSON fixtures in fixtures/ standing in for the service's API, for working on the
// pages without a database: `npm run dev`, then open http://127.0.0.1:5173/ui. Acknowledge, resolve and comment
// change the fixtures in memory only. Any token signs in, as "developer".
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../wwwroot/ui');
const port = Number(process.env.PORT ?? 5173);
const slos = JSON.parse(await readFile(path.join(here, 'fixtures/slos.json'), 'utf8'));
const incidents = JSON.parse(await readFile(path.join(here, 'fixtures/incidents.json'), 'utf8'))
  .map((i) => ({ ...i, timeline: [{ at: i.openedAt, kind: 'created', actor: 'slomonitor', details: { fingerprint: i.fingerprint } }] }));
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json' };

function history(slo, url) {
  const from = Date.parse(url.searchParams.get('from'));
  const to = Date.parse(url.searchParams.get('to'));
  const step = Number(url.searchParams.get('step')) * 1000;
  const points = [];
  for (let at = from, i = 0; at <= to; at += step, i += 1) {
    const wave = (w) => Math.max(0, (slo.status.windows[w]?.burnRate ?? 0) * (0.6 + 0.4 * Math.sin(i / 12 + w.length)));
    points.push({ time: new Date(at).toISOString(), sli: 1 - (1 - slo.objective / 100) * wave('1h'),
      errorBudgetRemainingRatio: 1 - (0.8 * (at - from)) / (to - from),
      burnRates: Object.fromEntries(['5m', '30m', '1h', '2h', '6h', '1d', '3d'].map((w) => [w, wave(w)])),
      latency: slo.status.windows['5m']?.latency ? { p50: 0.08, p95: 0.3 + 0.1 * Math.sin(i / 9), p99: 0.8 + 0.2 * Math.sin(i / 7) } : undefined });
  }
  const latencyWindow = slo.status.windows['5m']?.latency ? Math.max(300, step / 1000) : undefined;
  return { from: url.searchParams.get('from'), to: url.searchParams.get('to'), step: url.searchParams.get('step'), latencyWindow, points };
}

// The budget of a 30-day window spent evenly down to the fixture's remaining ratio.
function burndown(slo) {
  const to = Date.now();
  const from = to - 30 * 86400_000;
  const end = slo.status.errorBudget?.remainingRatio ?? 1;
  const points = Array.from({ length: 241 }, (_, i) => ({ time: new Date(from + (i * (to - from)) / 240).toISOString(),
    errorBudgetRemainingRatio: 1 - ((1 - end) * i) / 240 }));
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString(), step: 10800, points };
}

async function api(request, url, body) {
  const parts = url.pathname.split('/').slice(3).map(decodeURIComponent);
  if (!request.headers.authorization?.startsWith('Bearer ')) return [401, { error: 'a token is required' }];
  if (parts[0] === 'whoami') return { name: 'developer', tenant: 'default', scopes: ['admin'] };
  if (parts[0] === 'slos') {
    if (parts.length === 1) return slos;
    const slo = slos.find((s) => s.name === parts[1]);
    if (!slo) return [404, { title: `no SLO named ${parts[1]}` }];
    if (parts[2] === 'history') return history(slo, url);
    if (parts[2] === 'burndown') return burndown(slo);
    return { ...slo, runbookUrl: `https://runbooks.example/${slo.name}`, dashboardUrl: null, sli: { kind: slo.name.endsWith('latency') ? 'latency' : 'availability', source: 'spans' } };
  }
  if (parts[0] === 'incidents') {
    if (parts.length === 1) return incidents.map(({ timeline, ...i }) => i);
    const incident = incidents.find((i) => String(i.id) === parts[1]);
    if (!incident) return [404, { title: `no incident ${parts[1]}` }];
    if (request.method === 'POST') {
      const input = { ...JSON.parse(body || '{}'), actor: 'developer' };
      const at = new Date().toISOString();
      if (parts[2] === 'ack') Object.assign(incident, { state: 'acknowledged', acknowledgedAt: at, acknowledgedBy: input.actor });
      if (parts[2] === 'resolve') Object.assign(incident, { state: 'resolved', resolvedAt: at });
      incident.timeline.push({ at, kind: parts[2] === 'comments' ? 'comment' : parts[2] === 'ack' ? 'acked' : 'resolved', actor: input.actor, details: input.text ? { text: input.text } : {} });
      return incident;
    }
    return { ...incident, runbookUrl: `https://runbooks.example/${incident.slo}`, dashboardUrl: null,
      alerts: [{ fingerprint: incident.fingerprint, status: incident.state === 'resolved' ? 'resolved' : 'firing',
        labels: { alertname: 'SloBurnRate', slo: incident.slo, severity: incident.severity }, annotations: { summary: incident.title },
        startsAt: incident.openedAt, endsAt: incident.resolvedAt }] };
  }
  return [404, { title: 'not found' }];
}

createServer(async (request, response) => {
  const url = new URL(request.url, `http://${request.headers.host}`);
  let body = '';
  for await (const chunk of request) body += chunk;
  if (url.pathname.startsWith('/api/v1/')) {
    const result = await api(request, url, body);
    const [status, payload] = Array.isArray(result) && typeof result[0] === 'number' ? result : [200, result];
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(payload));
    return;
  }
  const file = path.join(root, path.normalize(url.pathname.replace(/^\/ui\/?/, '')));
  const served = file.startsWith(root) && path.extname(file) ? file : path.join(root, 'index.html');
  try {
    const content = await readFile(served);
    response.writeHead(200, { 'Content-Type': types[path.extname(served)] ?? 'application/octet-stream' }).end(content);
  } catch {
    response.writeHead(404).end('not found');
  }
}).listen(port, '127.0.0.1', () => console.log(`UI with fixtures on http://127.0.0.1:${port}/ui`));
