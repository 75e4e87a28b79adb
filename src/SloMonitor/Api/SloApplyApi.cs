using System.Text.Json;
using System.Text.Json.Nodes;
using SloMonitor.Slos.Apply;
using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Evaluation;
using SloMonitor.Slos.Hosting;
using SloMonitor.Storage;
using SloMonitor.Auth;

namespace SloMonitor.Api;

/// <summary>
/// <c>POST /api/v1/slos/apply</c>: a whole set of definitions (a Git directory, say) applied at once, all or nothing,
/// in one PostgreSQL transaction. The answer says per SLO what happens: created, changed (with the fields, and
/// whether its SLI series restart), unchanged, deleted (with <c>prune</c>, the owner's SLOs the set no longer names),
/// invalid (with located errors) or refused (defined in a file, or managed by another owner). <c>dryRun</c> answers
/// the same and writes nothing.
/// </summary>
public static class SloApplyApi
{
    // PostgreSQL serialises applies across instances; this keeps this instance's catalog updates in commit order.
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static IEndpointRouteBuilder MapSloApplyApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/api/v1/slos/apply", ApplyAsync).RequireScope(Scopes.Write);
        return app;
    }

    private static async Task<IResult> ApplyAsync(HttpRequest request, SloCatalog catalog, SloDefinitionStore store, SloEngine engine, SloOptions options, AuditLog audit, ILogger<SloCatalog> logger, CancellationToken cancellationToken)
    {
        string body;
        using (var reader = new StreamReader(request.Body))
        {
            body = await reader.ReadToEndAsync(cancellationToken);
        }

        var (apply, field, problem) = SloApplyRequest.Read(request, body);
        if (apply is null)
        {
            return Problem(field!, problem!);
        }

        if (apply.Items.Count == 0)
        {
            return Problem("slos", "the set holds no SLO; an apply needs at least one (delete single SLOs with DELETE /api/v1/slos/{name})");
        }

        if (apply.Items.Count > options.MaxApplySlos)
        {
            return Problem("slos", $"the set holds {apply.Items.Count} SLOs; at most {options.MaxApplySlos} per apply (Slos:MaxApplySlos)");
        }

        var applyOptions = apply.Options;
        var scope = new SloApplyScope(
            [.. apply.Items.Where(i => i.Name is not null).Select(i => i.Name!).Distinct(StringComparer.Ordinal)],
            applyOptions.Prune,
            applyOptions.Owner,
            applyOptions.Selector.Count == 0 ? null : JsonSerializer.Serialize(applyOptions.Selector));
        SloApplyPlan? plan = null;
        var now = engine.Time.GetUtcNow();
        var actor = Principal.NameOf(request.HttpContext);
        bool applied;
        var overCap = 0;
        await Gate.WaitAsync(cancellationToken);
        try
        {
            applied = await store.ApplyAsync(
                engine.Tenant,
                scope,
                rows =>
                {
                    plan = SloApplyPlan.Create(apply.Items, rows, catalog.FileOf, applyOptions);
                    var after = engine.Count + plan.Upserts.Count(d => engine.Find(d.Name) is null) - plan.Deletes.Count(n => engine.Find(n) is not null);
                    if (!plan.Rejected && after > options.MaxSlosPerTenant && after > engine.Count)
                    {
                        overCap = after;
                        return null;
                    }

                    return plan.Rejected || applyOptions.DryRun
                        ? null
                        : new SloApplyWrite(
                            [.. plan.Upserts.Select(d => new SloDefinitionRow(d.Name, SloDefinitionJson.WriteText(d), now, applyOptions.Owner, actor))],
                            plan.Deletes,
                            AuditOf(request.HttpContext, audit, plan, rows));
                },
                cancellationToken);
            if (applied)
            {
                catalog.ApplyApi(plan!.Upserts, plan.Deletes);
                logger.LogInformation("SLO apply by {Actor}: {Upserts} written, {Deletes} deleted", actor, plan.Upserts.Count, plan.Deletes.Count);
            }
        }
        catch (Exception e) when (DatabaseErrors.IsUnavailable(e))
        {
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return Results.Json(new { error = $"PostgreSQL is not available, nothing was applied: {e.Message}" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
        finally
        {
            Gate.Release();
        }

        return overCap > 0 ? SlosApi.TenantCap(engine.Tenant, overCap, options.MaxSlosPerTenant) : Answer(plan!, applyOptions.DryRun, applied);
    }

    /// <summary>The audit rows of an apply, written in its transaction: one per SLO created, changed or deleted.</summary>
    private static List<AuditRecord> AuditOf(HttpContext context, AuditLog audit, SloApplyPlan plan, IReadOnlyList<SloDefinitionRow> rows)
    {
        var records = new List<AuditRecord>(plan.Upserts.Count + plan.Deletes.Count);
        foreach (var definition in plan.Upserts)
        {
            var before = rows.FirstOrDefault(r => r.Name == definition.Name)?.Definition;
            records.Add(audit.Entry(context, before is null ? "slo.created" : "slo.changed", "slo", definition.Name, before, SloDefinitionJson.Write(definition)));
        }

        foreach (var name in plan.Deletes)
        {
            records.Add(audit.Entry(context, "slo.deleted", "slo", name, rows.FirstOrDefault(r => r.Name == name)?.Definition, null));
        }

        return records;
    }

    private static IResult Answer(SloApplyPlan plan, bool dryRun, bool applied)
    {
        var summary = new JsonObject();
        foreach (var action in new[] { SloApplyAction.Created, SloApplyAction.Changed, SloApplyAction.Unchanged, SloApplyAction.Deleted, SloApplyAction.Invalid, SloApplyAction.Refused })
        {
            summary[action] = plan.Count(action);
        }

        var slos = new JsonArray();
        foreach (var result in plan.Results)
        {
            var item = new JsonObject { ["name"] = result.Name, ["action"] = result.Action };
            if (result.Location is not null)
            {
                item["location"] = result.Location;
            }

            if (result.Changes.Count > 0)
            {
                item["changes"] = new JsonArray([.. result.Changes.Select(c => (JsonNode)new JsonObject { ["field"] = c.Field, ["from"] = c.From?.DeepClone(), ["to"] = c.To?.DeepClone() })]);
            }

            if (result.Action == SloApplyAction.Changed)
            {
                item["historyRestarts"] = result.HistoryRestarts;
            }

            if (result.Errors.Count > 0)
            {
                item["errors"] = new JsonArray([.. result.Errors.Select(e => (JsonNode)new JsonObject { ["location"] = e.Location, ["field"] = e.Field, ["message"] = e.Message })]);
            }

            if (result.Reason is not null)
            {
                item["reason"] = result.Reason;
            }

            slos.Add(item);
        }

        var answer = new JsonObject { ["dryRun"] = dryRun, ["applied"] = applied, ["summary"] = summary };
        var invalid = plan.Count(SloApplyAction.Invalid);
        var refused = plan.Count(SloApplyAction.Refused);
        if (invalid + refused > 0)
        {
            answer["error"] = $"{invalid} invalid and {refused} refused SLO(s) in the set: nothing was applied";
        }

        answer["slos"] = slos;
        var status = invalid > 0 ? StatusCodes.Status400BadRequest : refused > 0 ? StatusCodes.Status409Conflict : StatusCodes.Status200OK;
        return Results.Json(answer, statusCode: status);
    }

    private static IResult Problem(string field, string message) => ApiRequests.Problem(field, message);
}
