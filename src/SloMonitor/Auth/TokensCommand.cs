using System.Globalization;
using Npgsql;
using SloMonitor.Hosting;
using SloMonitor.Slos.Cli;
using SloMonitor.Slos.Definitions;
using SloMonitor.Storage;

namespace SloMonitor.Auth;

/// <summary>
/// <c>SloMonitor tokens create|list|revoke</c>, run on the host with the service's own database configuration
/// (<c>appsettings.json</c>, <c>ConnectionStrings__Postgres</c>): the root of trust, so it needs no token. It applies
/// the migrations first. <c>create</c> prints the new secret as its last line.
/// </summary>
internal static class TokensCommand
{
    public const string Usage = """
        usage: SloMonitor tokens create --name NAME --scopes a,b [--tenant T] [--expires 30d] [--if-none]
               SloMonitor tokens list [--tenant T] [--all]
               SloMonitor tokens revoke ID|NAME [--tenant T]
        scopes: ingest, read, write, respond, admin (admin includes all the others)
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr, IConfiguration configuration, TimeProvider time)
    {
        if (args.Count == 0 || args.Contains("--help") || args.Contains("-h"))
        {
            (args.Count == 0 ? stderr : stdout).WriteLine(Usage);
            return args.Count == 0 ? 2 : 0;
        }

        var arguments = CliArguments.Parse(args.Skip(1).ToList(), [["--name"], ["--scopes"], ["--tenant"], ["--expires"]], ["--if-none", "--all"]);
        if (arguments.Error is { } usageError)
        {
            return UsageError(stderr, usageError);
        }

        var connectionString = configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            stderr.WriteLine("no PostgreSQL connection string: set ConnectionStrings__Postgres as for the service");
            return 2;
        }

        var tenant = arguments.Value("--tenant") ?? TokenStore.DefaultTenant;
        await using var dataSource = DataSourceFactory.Create(connectionString, "slomonitor-tokens");
        try
        {
            await DatabaseSchema.ApplyAsync(dataSource);
            var store = new TokenStore(dataSource);
            var audit = new AuditLog(dataSource, time, Microsoft.Extensions.Logging.Abstractions.NullLogger<AuditLog>.Instance);
            return args[0] switch
            {
                "create" => await CreateAsync(arguments, tenant, store, audit, time, stdout, stderr),
                "list" => await ListAsync(arguments, tenant, store, stdout),
                "revoke" => await RevokeAsync(arguments, tenant, store, audit, time, stdout, stderr),
                _ => UsageError(stderr, $"unknown tokens command '{args[0]}'"),
            };
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e) || e is NpgsqlException)
        {
            stderr.WriteLine($"PostgreSQL cannot be used: {e.Message}");
            return 1;
        }
    }

    private static string Actor => "cli:" + Environment.UserName;

    private static async Task<int> CreateAsync(CliArguments arguments, string tenant, TokenStore store, AuditLog audit, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        var name = arguments.Value("--name")?.Trim() ?? "";
        if (TokenNames.Check(name) is { } nameError)
        {
            return UsageError(stderr, $"--name: {nameError}");
        }

        var (scopes, scopesError) = Scopes.Parse(arguments.Value("--scopes"));
        if (scopesError is not null)
        {
            return UsageError(stderr, $"--scopes: {scopesError}");
        }

        var now = time.GetUtcNow();
        DateTimeOffset? expiresAt = null;
        if (arguments.Value("--expires") is { } expires)
        {
            if (!DurationText.TryParse(expires, out var lifetime) || lifetime <= TimeSpan.Zero)
            {
                return UsageError(stderr, $"--expires: '{expires}' is not a duration such as 30d or 12h");
            }

            expiresAt = now + lifetime;
        }

        try
        {
            var created = await store.CreateAsync(tenant, name, scopes, expiresAt, Actor, now, arguments.Has("--if-none"));
            if (created is not { } result)
            {
                stdout.WriteLine($"tenant '{tenant}' has a token already: none created");
                return 0;
            }

            await audit.RecordAsync(tenant, Actor, "token.created", "token", result.Token.Id.ToString(CultureInfo.InvariantCulture), null, TokensApi.ToJson(result.Token));
            stdout.WriteLine($"created token {result.Token.Id.ToString(CultureInfo.InvariantCulture)} '{result.Token.Name}' in tenant '{tenant}' with scopes {string.Join(',', result.Token.Scopes)}"
                + (expiresAt is { } at ? $", expires {at:yyyy-MM-ddTHH:mm:ssZ}" : ", no expiry"));
            stdout.WriteLine("it is shown this once: keep it in a secret store");
            stdout.WriteLine(result.Secret);
            return 0;
        }
        catch (ArgumentException e)
        {
            stderr.WriteLine(e.Message.Split(" (Parameter", 2)[0]);
            return 1;
        }
    }

    private static async Task<int> ListAsync(CliArguments arguments, string tenant, TokenStore store, TextWriter stdout)
    {
        var tokens = await store.ListAsync(tenant, arguments.Has("--all"));
        if (tokens.Count == 0)
        {
            stdout.WriteLine($"no tokens in tenant '{tenant}'");
            return 0;
        }

        stdout.WriteLine("ID\tNAME\tSCOPES\tHINT\tCREATED\tEXPIRES\tLAST USED\tREVOKED");
        foreach (var t in tokens)
        {
            stdout.WriteLine(string.Join('\t', t.Id.ToString(CultureInfo.InvariantCulture), t.Name, string.Join(',', t.Scopes), t.Hint,
                Time(t.CreatedAt), Time(t.ExpiresAt), Time(t.LastUsedAt), Time(t.RevokedAt)));
        }

        return 0;
    }

    private static async Task<int> RevokeAsync(CliArguments arguments, string tenant, TokenStore store, AuditLog audit, TimeProvider time, TextWriter stdout, TextWriter stderr)
    {
        if (arguments.Positional is not [var idOrName])
        {
            return UsageError(stderr, "revoke takes one token id or name");
        }

        if (await store.RevokeAsync(tenant, idOrName, time.GetUtcNow()) is not { } token)
        {
            stderr.WriteLine($"no token '{idOrName}' to revoke in tenant '{tenant}'");
            return 1;
        }

        await audit.RecordAsync(tenant, Actor, "token.revoked", "token", token.Id.ToString(CultureInfo.InvariantCulture), TokensApi.ToJson(token with { RevokedAt = null }), TokensApi.ToJson(token));
        stdout.WriteLine($"revoked token {token.Id.ToString(CultureInfo.InvariantCulture)} '{token.Name}'; a running service stops accepting it within Auth:TokenRefreshInterval");
        return 0;
    }

    private static string Time(DateTimeOffset? at) => at is { } t ? t.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) : "-";

    private static int UsageError(TextWriter stderr, string problem)
    {
        stderr.WriteLine(problem);
        stderr.WriteLine(Usage);
        return 2;
    }
}
