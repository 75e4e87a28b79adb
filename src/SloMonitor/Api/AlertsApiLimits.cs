using System.Buffers;
using System.Globalization;
using Microsoft.AspNetCore.Http.Features;

namespace SloMonitor.Api;

/// <summary>
/// Input limits of <c>POST /api/v2/alerts</c>, from the <c>Alerting:Api</c> section (docs/alerting.md): the body
/// size, the bytes of bodies being read at once across requests, alerts per request, labels and annotations per
/// alert, and the length of label names and values.
/// </summary>
internal sealed class AlertsApiLimits
{
    public const string Section = "Alerting:Api";

    private long _bytesInFlight;

    public int MaxBodyBytes { get; init; } = 8 * 1024 * 1024;

    public long MaxBytesInFlight { get; init; } = 64 * 1024 * 1024;

    public int MaxAlertsPerRequest { get; init; } = 10_000;

    public int MaxLabelsPerAlert { get; init; } = 64;

    public int MaxAnnotationsPerAlert { get; init; } = 64;

    public int MaxLabelNameLength { get; init; } = 256;

    public int MaxLabelValueLength { get; init; } = 4096;

    public static AlertsApiLimits Read(IConfiguration? section)
    {
        var d = new AlertsApiLimits();
        return new AlertsApiLimits
        {
            MaxBodyBytes = Int(section, nameof(MaxBodyBytes), d.MaxBodyBytes),
            MaxBytesInFlight = Int(section, nameof(MaxBytesInFlight), (int)d.MaxBytesInFlight),
            MaxAlertsPerRequest = Int(section, nameof(MaxAlertsPerRequest), d.MaxAlertsPerRequest),
            MaxLabelsPerAlert = Int(section, nameof(MaxLabelsPerAlert), d.MaxLabelsPerAlert),
            MaxAnnotationsPerAlert = Int(section, nameof(MaxAnnotationsPerAlert), d.MaxAnnotationsPerAlert),
            MaxLabelNameLength = Int(section, nameof(MaxLabelNameLength), d.MaxLabelNameLength),
            MaxLabelValueLength = Int(section, nameof(MaxLabelValueLength), d.MaxLabelValueLength),
        };
    }

    /// <summary>
    /// Reads the body into memory that grows with what arrives (a declared Content-Length reserves nothing), counting
    /// it against <see cref="MaxBytesInFlight"/> while <paramref name="use"/> runs. Null when it fits; otherwise the
    /// error to answer (413 over <see cref="MaxBodyBytes"/>, 503 with Retry-After when the budget is taken).
    /// </summary>
    public async Task<IResult?> ReadBodyAsync(HttpRequest request, Func<ReadOnlyMemory<byte>, Task<IResult>> use, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return TooLarge();
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxBodyBytes + 1L;
        }

        long held = 0;
        var buffer = Array.Empty<byte>();
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var next = (int)Math.Min(Math.Max(16 * 1024, buffer.Length * 2L), MaxBodyBytes + 1L);
                    if (!Reserve(next - held, held))
                    {
                        return Busy();
                    }

                    held = next;
                    var larger = ArrayPool<byte>.Shared.Rent(next);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    if (buffer.Length > 0)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    buffer = larger;
                }

                int read;
                try
                {
                    read = await request.Body.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, MaxBodyBytes + 1) - length), cancellationToken);
                }
                catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    return TooLarge();
                }

                if (read == 0)
                {
                    return await use(buffer.AsMemory(0, length));
                }

                length += read;
                if (length > MaxBodyBytes)
                {
                    return TooLarge();
                }
            }
        }
        finally
        {
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            Interlocked.Add(ref _bytesInFlight, -held);
        }
    }

    public static IResult Problem(string field, string message, int status = StatusCodes.Status400BadRequest) =>
        Results.Json(new { error = $"{field}: {message}", field }, statusCode: status);

    private bool Reserve(long bytes, long heldByCaller)
    {
        var total = Interlocked.Add(ref _bytesInFlight, bytes);
        if (total > MaxBytesInFlight && total != bytes + heldByCaller)
        {
            Interlocked.Add(ref _bytesInFlight, -bytes);
            return false;
        }

        return true;
    }

    private IResult TooLarge() =>
        Problem("body", $"is larger than the limit of {MaxBodyBytes} bytes ({Section}:{nameof(MaxBodyBytes)})", StatusCodes.Status413PayloadTooLarge);

    private IResult Busy() => new RetryLater(Problem(
        "body", $"alert requests being read hold the limit of {MaxBytesInFlight} bytes ({Section}:{nameof(MaxBytesInFlight)}); retry later", StatusCodes.Status503ServiceUnavailable));

    private static int Int(IConfiguration? section, string key, int fallback)
    {
        var text = section?[key];
        if (string.IsNullOrWhiteSpace(text))
        {
            return fallback;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new InvalidOperationException($"{Section}:{key}: '{text}' is not a positive integer");
    }

    /// <summary>An answer with <c>Retry-After: 1</c>.</summary>
    private sealed class RetryLater(IResult inner) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.RetryAfter = "1";
            return inner.ExecuteAsync(httpContext);
        }
    }
}
