using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SloMonitor.Slos.Parsing;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// Loads the SLO definitions before the service takes traffic — those stored through the API, then the files —
/// and afterwards re-reads every file that changed. An invalid file is logged with its line and field and leaves
/// that file's previous definitions running; a deleted file removes its SLOs.
/// </summary>
internal sealed class SloDefinitionLoader(
    SloOptions options,
    SloCatalog catalog,
    SloDefinitionStore store,
    TimeProvider time,
    ILogger<SloDefinitionLoader> logger) : BackgroundService
{
    private readonly Dictionary<string, (DateTime Written, long Length)> _seen = new(StringComparer.Ordinal);
    private bool _apiLoaded;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await LoadApiAsync(cancellationToken);
        CheckFiles();
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.FileCheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                if (!_apiLoaded)
                {
                    await LoadApiAsync(stoppingToken);
                }

                CheckFiles();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads the files again if anything changed; returns the number of files re-read.</summary>
    internal int CheckFiles()
    {
        var reread = 0;
        var current = SloFileSet.Expand(options.Files);
        foreach (var gone in _seen.Keys.Except(current, StringComparer.Ordinal).ToList())
        {
            _seen.Remove(gone);
            catalog.RemoveFile(gone);
            logger.LogInformation("SLO file {File} is gone; its SLOs are removed", gone);
        }

        foreach (var file in current)
        {
            FileInfo info;
            try
            {
                info = new FileInfo(file);
                if (!info.Exists)
                {
                    logger.LogError("SLO file {File} does not exist", file);
                    continue;
                }
            }
            catch (IOException e)
            {
                logger.LogError("SLO file {File} cannot be read: {Reason}", file, e.Message);
                continue;
            }

            var stamp = (info.LastWriteTimeUtc, info.Length);
            if (_seen.TryGetValue(file, out var seen) && seen == stamp)
            {
                continue;
            }

            _seen[file] = stamp;
            reread++;
            Load(file);
        }

        return reread;
    }

    private void Load(string file)
    {
        SloParseResult result;
        try
        {
            result = SloParser.ParseFile(file);
        }
        catch (IOException e)
        {
            logger.LogError("SLO file {File} cannot be read: {Reason}; its previous SLOs keep running", file, e.Message);
            return;
        }

        if (!result.IsValid)
        {
            foreach (var error in result.Errors)
            {
                logger.LogError("Invalid SLO definition: {Error}", error.ToString());
            }

            logger.LogError("SLO file {File} has {Count} error(s); its previous SLOs keep running", file, result.Errors.Count);
            return;
        }

        catalog.SetFile(file, result.Definitions);
        logger.LogInformation("Loaded {Count} SLO(s) from {File}", result.Definitions.Count, file);
    }

    private async Task LoadApiAsync(CancellationToken cancellationToken)
    {
        try
        {
            var rows = await store.ListAsync(cancellationToken);
            var definitions = new List<Definitions.SloDefinition>(rows.Count);
            foreach (var row in rows)
            {
                var parsed = SloParser.ParseJson(row.Definition, row.Name);
                if (parsed.IsValid)
                {
                    definitions.AddRange(parsed.Definitions);
                }
                else
                {
                    logger.LogError("Stored SLO {Name} no longer validates and is not evaluated: {Errors}", row.Name, string.Join("; ", parsed.Errors));
                }
            }

            catalog.SetApi(definitions);
            _apiLoaded = true;
            logger.LogInformation("Loaded {Count} SLO(s) stored through the API", definitions.Count);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            logger.LogError("Cannot load the SLOs stored through the API yet: {Reason}", e.Message);
        }
    }
}
