using SloMonitor.Storage;

namespace SloMonitor.Auth;

/// <summary>
/// Runs <see cref="TokenValidator.RefreshAsync"/> every <c>Auth:TokenRefreshInterval</c>, and once more at stop, and
/// keeps <c>Auth:TokenCacheFile</c> in step with the validated tokens (read back at start).
/// </summary>
internal sealed class TokenRefreshLoop(TokenValidator validator, AuthOptions options, TimeProvider time, ILogger<TokenRefreshLoop> logger) : BackgroundService
{
    private int _written = -1;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            validator.Restore(TokenCacheFile.Read(options.TokenCacheFile));
            _written = validator.Changes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException or FormatException)
        {
            logger.LogWarning("Cannot read the token cache {File} ({Reason}); tokens are checked against PostgreSQL only", options.TokenCacheFile, e.Message);
        }

        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.TokenRefreshInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await RefreshAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
        }

        await RefreshAsync(CancellationToken.None);
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            await validator.RefreshAsync(cancellationToken);
            var changes = validator.Changes;
            if (changes != _written)
            {
                TokenCacheFile.Write(options.TokenCacheFile, validator.Validated);
                _written = changes;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("Cannot write the token cache {File}: {Reason}", options.TokenCacheFile, e.Message);
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
        {
            // Tokens seen valid keep working; last-used times are written once PostgreSQL answers.
            logger.LogDebug("Tokens not re-checked, PostgreSQL does not answer: {Reason}", e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Whatever went wrong, the tokens kept go on working and the next round tries again.
            logger.LogError(e, "Tokens could not be re-checked against PostgreSQL");
        }
    }
}
