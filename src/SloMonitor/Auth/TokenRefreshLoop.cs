using SloMonitor.Storage;

namespace SloMonitor.Auth;

/// <summary>Runs <see cref="TokenValidator.RefreshAsync"/> every <c>Auth:TokenRefreshInterval</c>, and once more at stop.</summary>
internal sealed class TokenRefreshLoop(TokenValidator validator, AuthOptions options, TimeProvider time, ILogger<TokenRefreshLoop> logger) : BackgroundService
{
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
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
        {
            // Tokens seen valid keep working; last-used times are written once PostgreSQL answers.
            logger.LogDebug("Tokens not re-checked, PostgreSQL does not answer: {Reason}", e.Message);
        }
    }
}
