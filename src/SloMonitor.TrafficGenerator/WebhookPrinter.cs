using System.Net;
using System.Text.Json;

namespace SloMonitor.TrafficGenerator;

/// <summary>
/// A stand-in on-call receiver for the demo: accepts Alertmanager-format webhook posts on 127.0.0.1 and prints one
/// line per alert, so a new user sees pages arrive.
/// </summary>
internal sealed class WebhookPrinter(int port) : IDisposable
{
    private readonly HttpListener _listener = new() { Prefixes = { $"http://127.0.0.1:{port}/" } };

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _listener.Start();
        Console.WriteLine($"printing notifications posted to http://127.0.0.1:{port}/alerts");
        using var registration = cancellationToken.Register(_listener.Stop);
        while (!cancellationToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            try
            {
                using var body = await JsonDocument.ParseAsync(context.Request.InputStream, cancellationToken: cancellationToken);
                Print(body.RootElement);
                context.Response.StatusCode = 200;
            }
            catch (JsonException)
            {
                context.Response.StatusCode = 400;
            }

            context.Response.Close();
        }
    }

    public void Dispose() => ((IDisposable)_listener).Dispose();

    private static void Print(JsonElement notification)
    {
        if (!notification.TryGetProperty("alerts", out var alerts) || alerts.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var alert in alerts.EnumerateArray())
        {
            var status = Text(alert, "status");
            var labels = alert.TryGetProperty("labels", out var l) ? l : default;
            var annotations = alert.TryGetProperty("annotations", out var a) ? a : default;
            Console.WriteLine($"[notification] {status} {Text(labels, "severity")} {Text(labels, "slo")}: {Text(annotations, "description")} runbook: {Text(annotations, "runbook_url")}");
        }
    }

    private static string Text(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() ?? ""
            : "";
}
