using SloMonitor.Slos.Definitions;
using SloMonitor.Slos.Parsing;

namespace SloMonitor.Api;

/// <summary>
/// <c>GET /api/v1/slos?format=openslo</c> and <c>GET /api/v1/slos/{name}?format=openslo</c>: the definitions as
/// OpenSLO v1 YAML (<c>application/yaml</c>). The list leaves out SLOs that OpenSLO cannot express and names each
/// with its reason in a comment at the top (<c># not exported: name: reason</c>); asked for by name, such an SLO is a
/// 422 with the reason.
/// </summary>
internal static class SloExportApi
{
    public const string YamlContentType = "application/yaml; charset=utf-8";

    public static IResult List(string format, IEnumerable<SloDefinition> definitions)
    {
        if (format != "openslo")
        {
            return BadFormat(format);
        }

        var export = OpenSloWriter.Write(definitions.OrderBy(d => d.Name, StringComparer.Ordinal));
        return Results.Text(export.Yaml, YamlContentType);
    }

    public static IResult One(string name, string format, SloDefinition? definition)
    {
        if (format != "openslo")
        {
            return BadFormat(format);
        }

        if (definition is null)
        {
            return Results.Json(new { error = $"no SLO named '{name}'" }, statusCode: StatusCodes.Status404NotFound);
        }

        if (OpenSloWriter.Unsupported(definition) is { } reason)
        {
            return Results.Json(new { error = $"SLO '{name}' cannot be expressed in OpenSLO: {reason}" }, statusCode: StatusCodes.Status422UnprocessableEntity);
        }

        return Results.Text(OpenSloWriter.Write([definition]).Yaml, YamlContentType);
    }

    private static IResult BadFormat(string format) =>
        Results.Json(new { error = $"format: expected json or openslo, found '{format}'", field = "format" }, statusCode: StatusCodes.Status400BadRequest);
}
