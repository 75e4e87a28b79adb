using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.RateLimiting;
using Prometheus;
using SloMonitor.Otlp.Rpc;
using RpcStatus = SloMonitor.Otlp.Rpc.Status;

namespace SloMonitor.Auth;

/// <summary>
/// Rate limits per token with ASP.NET Core's rate limiter, after authorization (a refused request costs nothing of
/// a bucket), and on ingest per tenant too (all of a tenant's tokens share that bucket), chained behind it: 429 with <c>Retry-After</c> on HTTP, <c>RESOURCE_EXHAUSTED</c> with google.rpc.RetryInfo on gRPC,
/// counted per tenant on /metrics.
/// </summary>
internal sealed class TokenRateLimits
{
    private static readonly Counter Limited = Prometheus.Metrics.CreateCounter(
        "slomon_rate_limited_requests_total", "Requests refused because their token used up its rate limit (Auth:RateLimits).", "tenant");

    private readonly RateLimitOptions _options;
    private readonly ConcurrentDictionary<Endpoint, string> _classes = new();
    private readonly Func<RateKey, RateLimiter> _create;
    private PartitionedRateLimiter<HttpContext>? _tenantLimiter;

    private TokenRateLimits(RateLimitOptions options)
    {
        _options = options;
        _create = key => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = key.Limit.Burst,
            TokensPerPeriod = key.Limit.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,

            // The partitioned limiter replenishes every bucket it holds on its own timer (every 100 ms).
            AutoReplenishment = false,
        });
    }

    public static void Add(WebApplicationBuilder builder)
    {
        var options = RateLimitOptions.Read(builder.Configuration.GetSection(RateLimitOptions.Section));
        builder.Services.AddSingleton(options);
        if (!options.Enabled)
        {
            return;
        }

        var limits = new TokenRateLimits(options);
        builder.Services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = limits.CreateLimiter();
            o.OnRejected = (context, _) => new ValueTask(limits.RejectAsync(context));
        });
    }

    /// <summary>The limiter of every request, for a benchmark to measure on its own.</summary>
    internal static PartitionedRateLimiter<HttpContext> CreateLimiter(RateLimitOptions options) => new TokenRateLimits(options).CreateLimiter();

    private PartitionedRateLimiter<HttpContext> CreateLimiter()
    {
        var tokens = PartitionedRateLimiter.Create<HttpContext, RateKey>(Partition);
        if (_options.TenantIngest is null && _options.Tenants.Count == 0)
        {
            return tokens;
        }

        _tenantLimiter = PartitionedRateLimiter.Create<HttpContext, RateKey>(TenantPartition);
        return PartitionedRateLimiter.CreateChained(tokens, _tenantLimiter);
    }

    /// <summary>The shared ingest bucket of the request's tenant; no limit for other scope classes.</summary>
    private RateLimitPartition<RateKey> TenantPartition(HttpContext context)
    {
        var user = context.User;
        if (user.Identity is not { IsAuthenticated: true } || ClassOf(context.GetEndpoint()) != Scopes.Ingest)
        {
            return RateLimitPartition.GetNoLimiter(default(RateKey));
        }

        var tenant = user.FindFirstValue(Scopes.TenantClaimType) ?? TokenStore.DefaultTenant;
        return (_options.Tenants.GetValueOrDefault(tenant) ?? _options.TenantIngest) is { } limit
            ? RateLimitPartition.Get(new RateKey(tenant, "", Scopes.Ingest, limit), _create)
            : RateLimitPartition.GetNoLimiter(default(RateKey));
    }

    /// <summary>The tenant's ingest limit when its shared bucket is what is empty; null when it is the token's.</summary>
    private RateLimit? TenantLimitReached(HttpContext context, string tenant)
    {
        if (_tenantLimiter?.GetStatistics(context) is not { CurrentAvailablePermits: <= 0 })
        {
            return null;
        }

        return _options.Tenants.GetValueOrDefault(tenant) ?? _options.TenantIngest;
    }

    public static void Use(WebApplication app)
    {
        if (app.Services.GetRequiredService<RateLimitOptions>().Enabled)
        {
            app.UseRateLimiter();
        }
    }

    private RateLimitPartition<RateKey> Partition(HttpContext context)
    {
        var user = context.User;
        if (user.Identity is not { IsAuthenticated: true, Name: { } name })
        {
            return RateLimitPartition.GetNoLimiter(default(RateKey));
        }

        var tenant = user.FindFirstValue(Scopes.TenantClaimType) ?? TokenStore.DefaultTenant;
        if (_options.Tokens.TryGetValue(name, out var own))
        {
            return RateLimitPartition.Get(new RateKey(tenant, name, "", own), _create);
        }

        var scope = ClassOf(context.GetEndpoint());
        return _options.Classes.TryGetValue(scope, out var limit)
            ? RateLimitPartition.Get(new RateKey(tenant, name, scope, limit), _create)
            : RateLimitPartition.GetNoLimiter(default(RateKey));
    }

    /// <summary>The scope an endpoint needs (its most specific scope policy); <c>read</c> for one that only needs a valid token.</summary>
    private string ClassOf(Endpoint? endpoint)
    {
        if (endpoint is null)
        {
            return Scopes.Read;
        }

        return _classes.GetOrAdd(endpoint, static e =>
        {
            var scope = Scopes.Read;
            foreach (var data in e.Metadata.GetOrderedMetadata<IAuthorizeData>())
            {
                if (data.Policy is { } policy && policy.StartsWith("scope:", StringComparison.Ordinal))
                {
                    scope = policy["scope:".Length..];
                }
            }

            return scope;
        });
    }

    private async Task RejectAsync(OnRejectedContext rejected)
    {
        var context = rejected.HttpContext;
        var user = context.User;
        var tenant = user.FindFirstValue(Scopes.TenantClaimType) ?? TokenStore.DefaultTenant;
        Limited.WithLabels(tenant).Inc();
        var name = user.Identity?.Name ?? "?";
        var limit = _options.Tokens.TryGetValue(name, out var own) ? own : _options.Classes.GetValueOrDefault(ClassOf(context.GetEndpoint()));
        var retry = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
        var seconds = Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds));
        var message = TenantLimitReached(context, tenant) is { } tenantLimit
            ? $"the tenant '{tenant}' is over its ingest rate limit ({tenantLimit.PermitsPerSecond} requests a second, bursts of {tenantLimit.Burst}, shared by all its tokens: {RateLimitOptions.Section}:{tenantLimit.Setting}); retry after {seconds} s"
            : limit is not null
            ? $"the token '{name}' is over its rate limit ({limit.PermitsPerSecond} requests a second, bursts of {limit.Burst}: {RateLimitOptions.Section}:{limit.Setting}); retry after {seconds} s"
            : $"the token '{name}' is over its rate limit ({RateLimitOptions.Section}); retry after {seconds} s";
        var response = context.Response;
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            const int resourceExhausted = 8;
            var details = new RpcStatus
            {
                Code = resourceExhausted,
                Message = message,
                Details = { Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromSeconds(seconds)) }) },
            };
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = resourceExhausted.ToString(CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = Uri.EscapeDataString(message);
            response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(details.ToByteArray());
            return;
        }

        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await response.WriteAsJsonAsync(new { error = message });
    }

    /// <summary>The bucket of one token (tenant and name) and scope class, with the limit it is made with.</summary>
    private readonly record struct RateKey(string Tenant, string Name, string Class, RateLimit Limit);
}
