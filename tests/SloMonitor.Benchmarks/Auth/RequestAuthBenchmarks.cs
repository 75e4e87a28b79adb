using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Npgsql;
using SloMonitor.Auth;

namespace SloMonitor.Benchmarks.Auth;

/// <summary>
/// What authentication adds to every request once a token is known: checking a kept token (SHA-256 and a dictionary
/// lookup) and taking a permit from the token's rate-limit bucket.
/// </summary>
[MemoryDiagnoser]
public class RequestAuthBenchmarks
{
    private TokenValidator _validator = null!;
    private System.Threading.RateLimiting.PartitionedRateLimiter<HttpContext> _limiter = null!;
    private DefaultHttpContext _context = null!;
    private NpgsqlDataSource _dataSource = null!;
    private string _known = "";
    private string _unknown = "";

    [GlobalSetup]
    public void Setup()
    {
        // Never opened: a kept or known-unknown token needs no database.
        _dataSource = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1");
        _known = ApiToken.Create();
        _unknown = ApiToken.Create();
        var options = new AuthOptions();
        options.Validate();
        _validator = new TokenValidator(new TokenStore(_dataSource), TimeProvider.System, [new InternalToken(_known, "collector", [Scopes.Ingest])], options);
        var rateLimits = RateLimitOptions.Read(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["R:Ingest:PermitsPerSecond"] = "1000000000", ["R:Ingest:Burst"] = "1000000000" })
            .Build().GetSection("R"));
        _limiter = TokenRateLimits.CreateLimiter(rateLimits);
        _context = new DefaultHttpContext { User = TokenValidator.PrincipalOf("collector", TokenStore.DefaultTenant, [Scopes.Ingest], TokenValidator.Scheme) };
        _context.SetEndpoint(new Endpoint(null, new EndpointMetadataCollection(new Microsoft.AspNetCore.Authorization.AuthorizeAttribute(Scopes.PolicyName(Scopes.Ingest))), "otlp"));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _limiter.Dispose();
        _dataSource.Dispose();
    }

    [Benchmark]
    public bool KeptToken()
    {
        // A kept token completes synchronously: no database round trip.
        var check = _validator.ValidateAsync(_known, CancellationToken.None);
        return check.IsCompletedSuccessfully && check.Result.Check == TokenCheck.Valid;
    }

    [Benchmark]
    public bool RateLimitPermit()
    {
        using var lease = _limiter.AttemptAcquire(_context);
        return lease.IsAcquired;
    }
}
