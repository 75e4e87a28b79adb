using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SloMonitor.Tests.Alerting;

/// <summary>A webhook receiver on 127.0.0.1 that records what it receives and answers with <see cref="Status"/>.</summary>
internal sealed class LoopbackReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<(string DedupKey, string Body, int Answered)> _received = [];

    private LoopbackReceiver(WebApplication app)
    {
        _app = app;
    }

    public Uri Url { get; private set; } = null!;

    public int Status { get; set; } = 200;

    public IReadOnlyList<(string DedupKey, string Body, int Answered)> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public static async Task<LoopbackReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new LoopbackReceiver(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var status = receiver.Status;
            lock (receiver._received)
            {
                receiver._received.Add((context.Request.Headers["Idempotency-Key"].ToString(), body, status));
            }

            context.Response.StatusCode = status;
        });
        await app.StartAsync();
        receiver.Url = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
        return receiver;
    }

    /// <summary>Waits (bounded) until the condition holds on what was received.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<(string DedupKey, string Body, int Answered)>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Received))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the receiver did not get the expected requests within {timeout}; received {Received.Count}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
