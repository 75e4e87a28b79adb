using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Parsing;
using SloMonitor.Storage;

namespace SloMonitor.Slos.Hosting;

/// <summary>
/// Loads the SLO definitions before the service takes traffic — those stored through the API, every tenant's, then the
/// files, which define the default tenant's —
/// and afterwards re-reads every file that changed. An invalid file is logged with its line and field and leaves
/// that file's previous definitions running; a deleted file removes its SLOs. The folders of the files are watched,
/// so an edit is read <see cref="SloOptions.FileChangeDelay"/> after the last write; the check every
/// <see cref="SloOptions.FileCheckInterval"/> catches what a watcher misses (network file systems, full event queues).
/// The same check reads again the SLOs stored through the API when another instance on the same database created,
/// edited or deleted one (<see cref="SloDefinitionStore.VersionAsync"/> changed), so every instance runs them all.
/// </summary>
internal sealed class SloDefinitionLoader(
    SloOptions options,
    SloTenants tenants,
    SloDefinitionStore store,
    TimeProvider time,
    ILogger<SloDefinitionLoader> logger) : BackgroundService
{
    private readonly Dictionary<string, (DateTime Written, long Length)> _seen = new(StringComparer.Ordinal);
    private readonly Channel<bool> _changes = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Dictionary<(string Tenant, string Name), string> _stored = [];
    private (long Count, DateTime? Latest)? _storedVersion;
    private bool _apiLoaded;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await LoadApiAsync(cancellationToken);
        CheckFiles();
        if (options.FileChangeDelay > TimeSpan.Zero)
        {
            Watch();
        }

        await base.StartAsync(cancellationToken);
    }

    public override void Dispose()
    {
        foreach (var watcher in _watchers)
        {
            watcher.Dispose();
        }

        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Task<bool>? changed = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                changed ??= _changes.Reader.WaitToReadAsync(stoppingToken).AsTask();
                await Task.WhenAny(changed, Task.Delay(options.FileCheckInterval, time, stoppingToken));
                stoppingToken.ThrowIfCancellationRequested();
                if (changed.IsCompleted)
                {
                    // Let a write that is still going on finish; events during the wait are covered by this check.
                    await Task.Delay(options.FileChangeDelay, time, stoppingToken);
                    _changes.Reader.TryRead(out _);
                    changed = null;
                }

                if (!_apiLoaded)
                {
                    await LoadApiAsync(stoppingToken);
                }
                else
                {
                    await SyncStoredAsync(stoppingToken);
                }

                CheckFiles();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Watches the folder of every configured path or glob that exists (and its subfolders for a glob).</summary>
    private void Watch()
    {
        var folders = new SortedDictionary<string, bool>(StringComparer.Ordinal);
        foreach (var pattern in options.Files)
        {
            if (string.IsNullOrWhiteSpace(pattern))
            {
                continue;
            }

            var full = Path.GetFullPath(pattern);
            var wildcard = full.IndexOfAny(['*', '?', '[']);
            var folder = Path.GetDirectoryName(wildcard < 0 ? full : full[..wildcard]);
            if (folder is not null && Directory.Exists(folder))
            {
                folders[folder] = (folders.TryGetValue(folder, out var deep) && deep) || wildcard >= 0;
            }
        }

        foreach (var (folder, deep) in folders)
        {
            try
            {
                var watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = deep };
                watcher.Changed += OnChange;
                watcher.Created += OnChange;
                watcher.Deleted += OnChange;
                watcher.Renamed += OnChange;
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
            catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
            {
                logger.LogWarning("Cannot watch {Folder} for SLO file changes ({Reason}); they are read every {Interval}", folder, e.Message, options.FileCheckInterval);
            }
        }
    }

    private void OnChange(object sender, FileSystemEventArgs e) => _changes.Writer.TryWrite(true);

    /// <summary>Reads the files again if anything changed; returns the number of files re-read.</summary>
    internal int CheckFiles()
    {
        var reread = 0;
        var current = SloFileSet.Expand(options.Files);
        foreach (var gone in _seen.Keys.Except(current, StringComparer.Ordinal).ToList())
        {
            _seen.Remove(gone);
            tenants.Default.Catalog.RemoveFile(gone);
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
        var started = time.GetTimestamp();
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

        tenants.Default.Catalog.SetFile(file, result.Definitions);
        logger.LogInformation("Loaded {Count} SLO(s) from {File} in {Seconds:0.000} s", result.Definitions.Count, file, time.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>
    /// Puts the stored SLOs whose JSON changed since they were last read (created or edited on another instance) and
    /// removes those no longer stored; the others are left as they run. Waits for the next check while PostgreSQL is away.
    /// </summary>
    private async Task SyncStoredAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await store.VersionAsync(cancellationToken);
            if (version == _storedVersion)
            {
                return;
            }

            var rows = await store.ListAsync(cancellationToken);
            var seen = new HashSet<(string, string)>();
            var changed = 0;
            foreach (var row in rows)
            {
                seen.Add((row.Tenant, row.Name));
                if (_stored.TryGetValue((row.Tenant, row.Name), out var known) && known == row.Definition)
                {
                    continue;
                }

                if (Parse(row) is not { } parsed)
                {
                    continue;
                }

                foreach (var definition in parsed)
                {
                    tenants.For(row.Tenant).Catalog.PutApi(definition);
                }

                _stored[(row.Tenant, row.Name)] = row.Definition;
                changed++;
            }

            foreach (var (tenant, name) in _stored.Keys.Where(key => !seen.Contains(key)).ToList())
            {
                tenants.For(tenant).Catalog.RemoveApi(name);
                _stored.Remove((tenant, name));
                changed++;
            }

            _storedVersion = version;
            if (changed > 0)
            {
                logger.LogInformation("{Count} stored SLO(s) changed in the database (by this or another instance) and were read again", changed);
            }
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            logger.LogDebug("Stored SLOs are checked for changes again once PostgreSQL answers: {Reason}", e.Message);
        }
    }

    /// <summary>A stored row's definitions; null, logged, when it no longer validates (it is then not evaluated).</summary>
    private IReadOnlyList<Definitions.SloDefinition>? Parse(SloDefinitionRow row)
    {
        var parsed = SloParser.ParseJson(row.Definition, row.Name);
        if (parsed.IsValid)
        {
            return parsed.Definitions;
        }

        logger.LogError("Stored SLO {Name} of tenant {Tenant} no longer validates and is not evaluated: {Errors}", row.Name, row.Tenant, string.Join("; ", parsed.Errors));
        return null;
    }

    private async Task LoadApiAsync(CancellationToken cancellationToken)
    {
        try
        {
            var version = await store.VersionAsync(cancellationToken);
            var rows = await store.ListAsync(cancellationToken);
            var byTenant = new Dictionary<string, List<Definitions.SloDefinition>>(StringComparer.Ordinal);
            var count = 0;
            foreach (var row in rows)
            {
                if (Parse(row) is { } parsed)
                {
                    _stored[(row.Tenant, row.Name)] = row.Definition;
                    if (!byTenant.TryGetValue(row.Tenant, out var definitions))
                    {
                        byTenant[row.Tenant] = definitions = [];
                    }

                    definitions.AddRange(parsed);
                    count += parsed.Count;
                }
            }

            tenants.SetApi(byTenant);
            _storedVersion = version;
            _apiLoaded = true;
            logger.LogInformation("Loaded {Count} SLO(s) of {Tenants} tenant(s) stored through the API", count, byTenant.Count);
        }
        catch (Exception e) when (e is Npgsql.NpgsqlException or TimeoutException)
        {
            logger.LogError("Cannot load the SLOs stored through the API yet: {Reason}", e.Message);
        }
    }
}
