using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SloMonitor.Testing;

/// <summary>A request as received, and the status it was answered with (0 until answered).</summary>
internal sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, int Answered = 0)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>
/// A tiny Kestrel app on 127.0.0.1 that records every request and answers as the test says: <see cref="Status"/>
/// (200 unless set), or whatever <see cref="Respond"/> returns (it may also wait, to play a slow receiver).
/// </summary>
internal sealed class RecordingReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<RecordedRequest> _requests = [];
    private readonly SemaphoreSlim _arrived = new(0);

    private RecordingReceiver(WebApplication app)
    {
        _app = app;
        Respond = (_, _, _) => Task.FromResult(Status);
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>The status answered while <see cref="Respond"/> is left as it is.</summary>
    public int Status { get; set; } = 200;

    /// <summary>Given the request and its 0-based index, the status to answer with.</summary>
    public Func<RecordedRequest, int, CancellationToken, Task<int>> Respond { get; set; }

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public static async Task<RecordingReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new RecordingReceiver(app);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived (bounded in time).</summary>
    public async Task<IReadOnlyList<RecordedRequest>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (Requests.Count < count)
        {
            try
            {
                await _arrived.WaitAsync(cancel.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"expected {count} requests, received {Requests.Count}");
            }
        }

        return Requests;
    }

    /// <summary>Waits (bounded) until the condition holds on the requests received so far.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<RecordedRequest>, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition(Requests))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the receiver did not get the expected requests within {timeout}; received {Requests.Count}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _arrived.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var request = new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, headers, body);
        int index;
        lock (_requests)
        {
            index = _requests.Count;
            _requests.Add(request);
        }

        _arrived.Release();
        try
        {
            int status = await Respond(request, index, context.RequestAborted);
            lock (_requests)
            {
                _requests[index] = request with { Answered = status };
            }

            context.Response.StatusCode = status;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The sender gave up (its timeout); nothing to answer.
        }
    }
}
