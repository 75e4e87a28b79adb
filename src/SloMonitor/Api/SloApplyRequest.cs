using System.Text.Json;
using System.Text.RegularExpressions;
using SloMonitor.Slos.Apply;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Api;

/// <summary>
/// The body of <c>POST /api/v1/slos/apply</c>: JSON <c>{slos: [...], files: [{path, content}], dryRun, prune, owner,
/// selector}</c>, or one YAML file as the body (<c>application/yaml</c>) with the options in the query string.
/// Options may come from the query for JSON too, but not from both places at once.
/// </summary>
internal sealed partial class SloApplyRequest
{
    private static readonly string[] Fields = ["slos", "files", "dryRun", "prune", "owner", "selector"];
    private static readonly string[] YamlTypes = ["application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml"];

    private SloApplyRequest(IReadOnlyList<SloParsedItem> items, SloApplyOptions options)
    {
        Items = items;
        Options = options;
    }

    /// <summary>Every SLO of the set, valid or not, in the order written.</summary>
    public IReadOnlyList<SloParsedItem> Items { get; }

    public SloApplyOptions Options { get; }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._/@:-]{0,199}$")]
    private static partial Regex OwnerPattern();

    /// <summary>The request, or the problem (<c>field</c>, <c>message</c>) that makes it unusable.</summary>
    public static (SloApplyRequest? Request, string? Field, string? Problem) Read(HttpRequest request, string body)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in Fields[2..])
        {
            if (request.Query[name] is { Count: > 0 } values)
            {
                options[name] = values.ToString();
            }
        }

        var items = new List<SloParsedItem>();
        var mediaType = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (mediaType is not null && YamlTypes.Contains(mediaType))
        {
            items.AddRange(SloParser.ParseYaml(body, "body").Items);
        }
        else if (mediaType is null or "application/json")
        {
            if (ReadJson(body, items, options) is { } problem)
            {
                return (null, problem.Field, problem.Message);
            }
        }
        else
        {
            return (null, "Content-Type", $"expected application/json or application/yaml, found '{request.ContentType}'");
        }

        var (applyOptions, field, message) = ReadOptions(options);
        return applyOptions is null ? (null, field, message) : (new SloApplyRequest(items, applyOptions), null, null);
    }

    private static (string Field, string Message)? ReadJson(string body, List<SloParsedItem> items, Dictionary<string, string> options)
    {
        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            root = document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            return ("body", $"invalid JSON: {e.Message}");
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            return ("body", "expected a JSON object {\"slos\": [...], \"files\": [...], \"dryRun\": …}");
        }

        foreach (var property in root.EnumerateObject())
        {
            switch (property.Name)
            {
                case "slos":
                    items.AddRange(SloParser.ParseJsonList(property.Value.GetRawText(), "$.slos").Items);
                    break;
                case "files":
                    if (ReadFiles(property.Value, items) is { } problem)
                    {
                        return problem;
                    }

                    break;
                case "dryRun" or "prune" or "owner" or "selector" when property.Value.ValueKind == JsonValueKind.Null:
                    break;
                case "dryRun" or "prune" or "owner" or "selector":
                    if (options.ContainsKey(property.Name))
                    {
                        return (property.Name, "given both in the query string and in the body");
                    }

                    options[property.Name] = property.Value.ValueKind switch
                    {
                        JsonValueKind.String => property.Value.GetString()!,
                        JsonValueKind.Object => string.Join(',', property.Value.EnumerateObject().Select(p => $"{p.Name}={(p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString() : p.Value.GetRawText())}")),
                        _ => property.Value.GetRawText(),
                    };
                    break;
                default:
                    return (property.Name, $"unknown field (expected one of: {string.Join(", ", Fields)})");
            }
        }

        return null;
    }

    private static (string Field, string Message)? ReadFiles(JsonElement files, List<SloParsedItem> items)
    {
        if (files.ValueKind != JsonValueKind.Array)
        {
            return ("files", "expected a list of {\"path\": …, \"content\": …}");
        }

        var index = 0;
        foreach (var file in files.EnumerateArray())
        {
            var field = $"files[{index++}]";
            if (file.ValueKind != JsonValueKind.Object
                || !file.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String || path.GetString()!.Length == 0
                || !file.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                return (field, "expected {\"path\": \"slos/checkout.yaml\", \"content\": \"<the file's YAML>\"}");
            }

            items.AddRange(SloParser.ParseYaml(content.GetString()!, path.GetString()!).Items);
        }

        return null;
    }

    private static (SloApplyOptions? Options, string? Field, string? Problem) ReadOptions(Dictionary<string, string> options)
    {
        var flags = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var name in new[] { "dryRun", "prune" })
        {
            var text = options.GetValueOrDefault(name, "false");
            if (!bool.TryParse(text, out var value))
            {
                return (null, name, $"expected true or false, found '{text}'");
            }

            flags[name] = value;
        }

        var owner = options.GetValueOrDefault("owner");
        if (owner is not null && !OwnerPattern().IsMatch(owner))
        {
            return (null, "owner", $"expected a name such as team-payments (letters, digits and . _ / @ : -, at most 200), found '{owner}'");
        }

        var selector = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in (options.GetValueOrDefault("selector") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || pair.Contains("!=", StringComparison.Ordinal))
            {
                return (null, "selector", $"expected label=value pairs separated by commas (e.g. team=payments,tier=1), found '{pair}'");
            }

            selector[pair[..equals].Trim()] = pair[(equals + 1)..].Trim();
        }

        if (flags["prune"] && owner is null && selector.Count == 0)
        {
            return (null, "prune", "needs an owner or a selector, so that it deletes only SLOs this set manages");
        }

        return (new SloApplyOptions(flags["dryRun"], flags["prune"], owner, selector), null, null);
    }
}
