using System.Net;

namespace SloMonitor.Alerting.Delivery;

internal enum DeliveryOutcome
{
    Delivered,

    /// <summary>5xx, 429, timeout or network error: try again with backoff until the deadline.</summary>
    Retry,

    /// <summary>Any other 4xx or a receiver that no longer exists: trying again cannot help.</summary>
    Permanent,
}

internal readonly record struct DeliveryResult(DeliveryOutcome Outcome, string? Error, TimeSpan? RetryAfter)
{
    public static DeliveryResult Delivered { get; } = new(DeliveryOutcome.Delivered, null, null);

    /// <summary>Classifies a response; the error text never includes the URL (it may hold a secret).</summary>
    public static DeliveryResult FromResponse(HttpResponseMessage response, DateTimeOffset now)
    {
        var code = (int)response.StatusCode;
        if (code is >= 200 and < 300)
        {
            return Delivered;
        }

        var error = $"HTTP {code} {response.ReasonPhrase}".TrimEnd();
        if (response.StatusCode == HttpStatusCode.TooManyRequests || code >= 500)
        {
            TimeSpan? retryAfter = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } when date > now => date - now,
                _ => null,
            };
            return new DeliveryResult(DeliveryOutcome.Retry, error, retryAfter);
        }

        return new DeliveryResult(DeliveryOutcome.Permanent, error, null);
    }
}
