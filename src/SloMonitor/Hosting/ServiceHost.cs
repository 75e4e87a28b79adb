using Microsoft.AspNetCore.Connections;
using Npgsql;
using Prometheus;
using Serilog;
using SloMonitor.Api;
using SloMonitor.Auth;
using SloMonitor.Cluster;
using SloMonitor.Storage;

namespace SloMonitor.Hosting;

/// <summary>Builds and runs the web host: listeners, logging, PostgreSQL, metrics and every API area.</summary>
internal static class ServiceHost
{
    public static async Task<int> RunAsync(string[] args)
    {
        Log.Logger = new LoggerConfiguration().WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture).CreateBootstrapLogger();
        try
        {
            var app = Build(args);
            await PrepareAsync(app, CancellationToken.None);
            await app.RunAsync();
            return 0;
        }
        catch (StartupException e)
        {
            Log.Fatal("Start-up stopped: {Problem}", e.Message);
            return 1;
        }
        catch (IOException e) when (e.InnerException is AddressInUseException)
        {
            Log.Fatal("Start-up stopped: {Problem} (set another port in the SloMonitor section or its environment variable)", e.Message);
            return 1;
        }
        finally
        {
            await Log.CloseAndFlushAsync();
        }
    }

    /// <summary>Builds the application; <paramref name="customize"/> lets tests replace services (e.g. the clock).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? customize = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        var options = builder.Configuration.GetSection(ServiceOptions.Section).Get<ServiceOptions>() ?? new ServiceOptions();
        builder.Services.AddSingleton(options);
        builder.Host.UseSerilog((context, logger) => Logging.Configure(logger, context.Configuration), preserveStaticLogger: false, writeToProviders: false);
        builder.Host.ConfigureHostOptions(host => host.ShutdownTimeout = options.ShutdownTimeout);
        var tlsOptions = builder.Configuration.GetSection(TlsOptions.Section).Get<TlsOptions>() ?? new TlsOptions();
        var tls = tlsOptions.Enabled ? ServerCertificate.Load(tlsOptions) : null;
        if (tls is not null)
        {
            builder.Services.AddSingleton(tls);
            builder.Services.AddHostedService<TlsReloadLoop>();
        }

        builder.WebHost.ConfigureKestrel(kestrel => Listeners.Configure(kestrel, options, maxRequestBodyBytes: 64L * 1024 * 1024, tls));

        var connectionString = builder.Configuration.GetConnectionString("Postgres");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new StartupException("no PostgreSQL connection string: set ConnectionStrings__Postgres (./run.sh starts a private PostgreSQL when none is set)");
        }

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(_ => DataSourceFactory.Create(connectionString));
        builder.Services.AddSingleton<DatabaseHealth>();
        builder.Services.AddHostedService<DatabaseMonitor>();
        builder.Services.AddHttpClient();
        GcPauseMetrics.EnsureStarted();
        DatabaseCommandMetrics.EnsureStarted();
        SelfTelemetry.Add(builder, options, tls);
        Modules.AddServices(builder, options);
        var auth = AuthSetup.Add(builder);
        customize?.Invoke(builder);

        var app = builder.Build();
        Logging.UseRequestLogging(app);
        app.UseMiddleware<DatabaseUnavailableMiddleware>();
        app.UsePortRouting(options);
        app.UseHttpMetrics(HttpMetricNames.Configure);
        app.UseAuthentication();
        app.UseAuthorization();
        TokenRateLimits.Use(app);
        app.UseJsonBodiesOnly(options);
        app.MapHealthApi();
        var metrics = app.MapMetricsApi();
        if (auth.MetricsOpen)
        {
            metrics.AllowAnonymous();
        }
        else
        {
            metrics.RequireScope(Scopes.Read);
        }

        Modules.MapEndpoints(app);
        AuthSetup.WarnIfDisabled(app);
        return app;
    }

    /// <summary>
    /// Checks the ports and gives PostgreSQL <c>DatabaseStartupTimeout</c> to answer and be migrated; without it the
    /// service starts degraded and keeps trying in the background, except in <c>Cluster:Mode=postgres</c>, where the
    /// instance cannot join its cluster without the membership tables and start-up stops.
    /// </summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken cancellationToken)
    {
        var options = app.Services.GetRequiredService<ServiceOptions>();
        Listeners.EnsurePortsFree(options);
        var health = app.Services.GetRequiredService<DatabaseHealth>();
        await DatabaseStartup.MigrateAsync(
            app.Services.GetRequiredService<NpgsqlDataSource>(), health,
            options.DatabaseStartupTimeout, app.Services.GetRequiredService<TimeProvider>(), app.Logger, cancellationToken);
        if (!health.IsMigrated && app.Services.GetService<ClusterSettings>() is { Mode: ClusterModes.Postgres })
        {
            throw new StartupException(
                $"Cluster:Mode is postgres, and PostgreSQL did not answer within SloMonitor:DatabaseStartupTimeout ({options.DatabaseStartupTimeout}): the cluster's membership lives there ({health.Problem})");
        }
    }
}
