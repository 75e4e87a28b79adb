using System.Globalization;

namespace SloMonitor.TrafficGenerator;

internal sealed record GeneratorOptions(Uri Endpoint, string Protocol, double Rate, double CycleMinutes, int? WebhookPort)
{
    public static GeneratorOptions? Parse(string[] args)
    {
        var endpoint = new Uri("http://127.0.0.1:4317");
        var protocol = "grpc";
        var rate = 50.0;
        var cycle = 20.0;
        int? webhookPort = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--endpoint" when Uri.TryCreate(value, UriKind.Absolute, out var uri):
                    endpoint = uri;
                    break;
                case "--protocol" when value is "grpc" or "http":
                    protocol = value;
                    break;
                case "--rate" when double.TryParse(value, CultureInfo.InvariantCulture, out var r) && r > 0:
                    rate = r;
                    break;
                case "--cycle-minutes" when double.TryParse(value, CultureInfo.InvariantCulture, out var c) && c >= 2:
                    cycle = c;
                    break;
                case "--webhook-port" when int.TryParse(value, CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536:
                    webhookPort = p;
                    break;
                default:
                    return null;
            }

            i++;
        }

        return new GeneratorOptions(endpoint, protocol, rate, cycle, webhookPort);
    }
}
