using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using SloMonitor.Alerting.Alerts;
using SloMonitor.Alerting.Incidents;
using SloMonitor.Alerting.Routing;
using SloMonitor.Alerting.Spool;

namespace SloMonitor.Alerting;

/// <summary>
/// The one entry for alerts, from SLO evaluation and from <c>POST /api/v2/alerts</c>: validates them, stores their
/// latest state, opens, joins or resolves incidents (one transaction per batch), then hands them to routing. While
/// PostgreSQL is away the alerts that fired, resolved or are new go to the local spool with their time instead (their
/// incidents are written from there on recovery), and routing takes them all the same, so pages go out.
/// </summary>
public sealed class AlertIngestor
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly Dispatcher _dispatcher;
    private readonly TimeProvider _time;
    private readonly ILogger<AlertIngestor> _logger;
    private readonly NotificationSpool _spool;

    internal AlertIngestor(NpgsqlDataSource dataSource, Dispatcher dispatcher, NotificationSpool spool, TimeProvider time, ILogger<AlertIngestor> logger)
    {
        _dataSource = dataSource;
        _spool = spool;
        _dispatcher = dispatcher;
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// The alerts with one of <paramref name="alertNames"/> that are still firing (no end, or an end ahead), as
    /// last reported, each with its tenant: a source that restarts reads what it had sent, so it can resolve what is over.
    /// </summary>
    public async Task<IReadOnlyList<AlertInput>> ListFiringAsync(IReadOnlyCollection<string> alertNames, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alertNames);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Labels, string Annotations, DateTime StartsAt, string? GeneratorUrl, string Tenant)>(
            new CommandDefinition(
                """
                SELECT labels::text, annotations::text, starts_at, generator_url, tenant
                  FROM alert
                 WHERE labels->>'alertname' = ANY(@names)
                   AND (ends_at IS NULL OR ends_at > @now)
                """,
                new { names = alertNames.ToArray(), now = Db.Utc(_time.GetUtcNow()) },
                cancellationToken: cancellationToken));
        return rows.Select(r => new AlertInput(Json.ReadMap(r.Labels), Json.ReadMap(r.Annotations), Db.Offset(r.StartsAt), null, r.GeneratorUrl, r.Tenant)).ToList();
    }

    /// <summary>
    /// The most alerts one tenant may have firing at once through <see cref="SubmitCappedAsync"/>
    /// (<c>Alerting:MaxAlertsPerTenant</c>); 0 for no limit. Alerts from every source count.
    /// </summary>
    internal int MaxFiringPerTenant { get; init; }

    /// <exception cref="ArgumentException">An alert is invalid; the message names it and the field (e.g. <c>alerts[2].labels</c>).</exception>
    public Task SubmitAsync(IReadOnlyList<AlertInput> alerts, CancellationToken cancellationToken) => SubmitAsync(alerts, capped: false, cancellationToken);

    /// <summary>
    /// As <see cref="SubmitAsync(IReadOnlyList{AlertInput}, CancellationToken)"/> for alerts from outside (<c>POST
    /// /api/v2/alerts</c>): a batch that would leave a tenant with more than <see cref="MaxFiringPerTenant"/> alerts
    /// firing is refused whole, before anything is written.
    /// </summary>
    /// <exception cref="ArgumentException">An alert is invalid; the message names it and the field.</exception>
    /// <exception cref="AlertLimitException">The batch would take its tenant past the cap; the message names it.</exception>
    public Task SubmitCappedAsync(IReadOnlyList<AlertInput> alerts, CancellationToken cancellationToken) => SubmitAsync(alerts, capped: true, cancellationToken);

    private async Task SubmitAsync(IReadOnlyList<AlertInput> alerts, bool capped, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alerts);
        for (var i = 0; i < alerts.Count; i++)
        {
            Validate(alerts[i], i);
        }

        if (alerts.Count == 0)
        {
            return;
        }

        await _dispatcher.RecoverAsync(cancellationToken);
        await _dispatcher.Gate.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            var accepted = new Dictionary<string, Alert>(StringComparer.Ordinal);
            foreach (var input in alerts)
            {
                var alert = Merge(input, now);
                accepted.Remove(alert.Fingerprint);
                accepted[alert.Fingerprint] = alert;
            }

            if (capped && MaxFiringPerTenant > 0)
            {
                CheckCap(accepted, now);
            }

            if (!_dispatcher.Deferring)
            {
                try
                {
                    await WriteAsync(accepted.Values, now, cancellationToken);
                    return;
                }
                catch (Exception e) when (_dispatcher.Outage.Caught(e))
                {
                    // Nothing was committed: into the spool.
                }
            }

            // Only what changes incidents is kept for later: alerts new to this process, or that fired or resolved.
            var changed = accepted.Values.Where(a => _dispatcher.Find(a.Fingerprint) is not { } known
                || known.IsResolvedAt(now) != a.IsResolvedAt(now) || known.StartsAt != a.StartsAt).ToList();
            if (changed.Count > 0)
            {
                _spool.Add(new SpooledIncidentWork(now, changed, null));
            }

            foreach (var alert in accepted.Values)
            {
                _dispatcher.Insert(alert, now);
            }
        }
        finally
        {
            _dispatcher.Gate.Release();
        }
    }

    private async Task WriteAsync(IReadOnlyCollection<Alert> accepted, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var alert in accepted)
        {
            await AlertStore.UpsertAsync(connection, transaction, alert, now);
        }

        var (firing, inhibitions) = _dispatcher.FiringWith(accepted, now);
        var placer = new IncidentPlacer(connection, transaction, firing, inhibitions, _dispatcher.ReceiversFor, now);
        await placer.ApplyAsync([.. accepted]);
        await transaction.CommitAsync(cancellationToken);
        foreach (var alert in accepted)
        {
            _dispatcher.Insert(alert, now);
        }

        foreach (var id in placer.Opened)
        {
            _logger.LogInformation("Incident {IncidentId} opened", id);
        }
    }

    /// <summary>The alerts each tenant of the batch would have firing once it is taken in; caller holds the gate.</summary>
    private void CheckCap(Dictionary<string, Alert> accepted, DateTimeOffset now)
    {
        foreach (var tenant in accepted.Values.Select(a => a.Tenant).Distinct(StringComparer.Ordinal))
        {
            var firing = 0;
            foreach (var known in _dispatcher.Alerts.Values)
            {
                if (known.Tenant == tenant && !known.IsResolvedAt(now) && !accepted.ContainsKey(known.Fingerprint))
                {
                    firing++;
                }
            }

            firing += accepted.Values.Count(a => a.Tenant == tenant && !a.IsResolvedAt(now));
            if (firing > MaxFiringPerTenant)
            {
                throw new AlertLimitException(
                    $"the tenant would have {firing} alerts firing, more than the limit of Alerting:MaxAlertsPerTenant ({MaxFiringPerTenant}); resolve some first");
            }
        }
    }

    /// <summary>While an alert keeps firing it keeps its first start time (Alertmanager's merge).</summary>
    private Alert Merge(AlertInput input, DateTimeOffset now)
    {
        var labels = new Dictionary<string, string>(input.Labels, StringComparer.Ordinal);
        var fingerprint = Fingerprint.Of(input.Tenant, labels);
        var startsAt = input.StartsAt;
        if (_dispatcher.Find(fingerprint) is { } existing && !existing.IsResolvedAt(now) && existing.StartsAt < startsAt)
        {
            startsAt = existing.StartsAt;
        }

        var endsAt = input.EndsAt is { } e && e < startsAt ? startsAt : input.EndsAt;
        return new Alert(fingerprint, labels, new Dictionary<string, string>(input.Annotations, StringComparer.Ordinal), startsAt, endsAt, input.GeneratorUrl)
        {
            Tenant = input.Tenant,
            UpdatedAt = now,
        };
    }

    private static void Validate(AlertInput alert, int index)
    {
        var field = $"alerts[{index}]";
        if (alert is null)
        {
            throw new ArgumentException($"{field}: is null", nameof(alert));
        }

        if (string.IsNullOrWhiteSpace(alert.Tenant))
        {
            throw new ArgumentException($"{field}.tenant: is required", nameof(alert));
        }

        if (alert.Labels is null || alert.Labels.Count == 0)
        {
            throw new ArgumentException($"{field}.labels: at least one label is required", nameof(alert));
        }

        foreach (var (name, value) in alert.Labels)
        {
            if (!IsLabelName(name))
            {
                throw new ArgumentException($"{field}.labels: '{name}' is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)", nameof(alert));
            }

            if (string.IsNullOrEmpty(value))
            {
                throw new ArgumentException($"{field}.labels.{name}: the value is empty", nameof(alert));
            }
        }

        if (alert.Annotations is null)
        {
            throw new ArgumentException($"{field}.annotations: is null", nameof(alert));
        }

        if (alert.EndsAt is { } endsAt && endsAt < alert.StartsAt)
        {
            throw new ArgumentException($"{field}.endsAt: is before startsAt", nameof(alert));
        }
    }

    private static bool IsLabelName(string name)
    {
        if (string.IsNullOrEmpty(name) || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
