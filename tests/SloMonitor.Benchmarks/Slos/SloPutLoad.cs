using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace SloMonitor.Benchmarks.Slos;

/// <summary>
/// A load run over loopback: <c>count</c> availability SLOs put one by one through <c>PUT /api/v1/slos/{name}</c> by
/// <c>clients</c> parallel clients, against a running service. Prints the time it took and the rate. Run:
/// <c>dotnet run -c Release --project tests/SloMonitor.Benchmarks -- put-load http://127.0.0.1:8080 10000 8 [token]</c>.
/// </summary>
internal static class SloPutLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var server = new Uri(args[1]);
        var count = int.Parse(args[2], CultureInfo.InvariantCulture);
        var clients = int.Parse(args[3], CultureInfo.InvariantCulture);
        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromSeconds(60) };
        if (args.Length > 4)
        {
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", args[4]);
        }

        var next = -1;
        var failures = 0;
        var stopwatch = Stopwatch.StartNew();
        var checkpoints = new List<(int Done, TimeSpan At)>();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var body = string.Create(CultureInfo.InvariantCulture, $"{{\"service\": \"load-{i / 10}\", \"objective\": 99.9, \"sli\": {{\"kind\": \"availability\", \"match\": \"http.route=\\\"/r{i % 10}\\\"\"}}}}");
                using var response = await http.PutAsync($"api/v1/slos/load-{i}", new StringContent(body, Encoding.UTF8, "application/json"));
                if (!response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref failures);
                }

                if ((i + 1) % 1000 == 0)
                {
                    lock (checkpoints)
                    {
                        checkpoints.Add((i + 1, stopwatch.Elapsed));
                    }
                }
            }
        }));
        stopwatch.Stop();
        foreach (var (done, at) in checkpoints.OrderBy(c => c.Done))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{done,7} SLOs after {at.TotalSeconds,6:0.0} s"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{count} PUTs by {clients} clients in {stopwatch.Elapsed.TotalSeconds:0.0} s ({count / stopwatch.Elapsed.TotalSeconds:0} per second), {failures} failed"));
        return failures == 0 ? 0 : 1;
    }
}
