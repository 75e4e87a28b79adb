using System.Text.RegularExpressions;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Net.Http.Headers;

namespace SloMonitor.Api;

/// <summary>
/// The service's own web UI under <c>/ui</c>: the files the build bundles into <c>wwwroot/ui</c>, with the deep links
/// (<c>/ui/oncall</c>, <c>/ui/reports</c>, <c>/ui/slos/{name}</c>, <c>/ui/slos/{name}/debug</c>, <c>/ui/incidents/{id}</c>, <c>/ui/signin-callback</c>) answered by the app's <c>index.html</c>, whose
/// script picks the page from the address. <c>/</c> redirects to <c>/ui</c>.
/// </summary>
public static partial class UiEndpoints
{
    // Everything is same-origin but the single sign-on issuer's discovery and token endpoints, which the sign-in page
    // calls; uPlot sizes its canvas with inline styles, hence 'unsafe-inline' for styles only.
    private static string ContentSecurityPolicy(string? issuerOrigin) =>
        $"default-src 'self'; connect-src 'self'{(issuerOrigin is null ? "" : " " + issuerOrigin)}; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static IEndpointRouteBuilder MapUi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var policy = ContentSecurityPolicy(UiConfigApi.IssuerOrigin(app.ServiceProvider.GetRequiredService<IConfiguration>()));
        var files = new UiFiles(app.ServiceProvider.GetRequiredService<IWebHostEnvironment>(), policy);
        app.MapGet("/", () => Results.Redirect("/ui")).ExcludeFromDescription().AllowAnonymous();
        app.MapMethods("/ui", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) => files.Serve(context, ""))
            .ExcludeFromDescription().AllowAnonymous();
        app.MapMethods("/ui/{**path}", [HttpMethods.Get, HttpMethods.Head], (HttpContext context, string? path) => files.Serve(context, path ?? ""))
            .ExcludeFromDescription().AllowAnonymous();
        return app;
    }

    /// <summary>The client-side pages: these paths all answer with index.html.</summary>
    [GeneratedRegex(@"^(oncall|reports|signin-callback|slos/[^/]+|slos/[^/]+/debug|incidents/[^/]+)/?$")]
    private static partial Regex DeepLink();

    /// <summary>Finds the built UI (beside the executable, or under the content root) and answers requests from it.</summary>
    private sealed class UiFiles(IWebHostEnvironment environment, string contentSecurityPolicy)
    {
        private static readonly FileExtensionContentTypeProvider ContentTypes = CreateContentTypes();
        private PhysicalFileProvider? _provider;

        public IResult Serve(HttpContext context, string path)
        {
            var provider = Locate();
            if (provider is null)
            {
                return Results.Text(
                    "The web UI is not part of this build of SloMonitor: build the service with `dotnet build` " +
                    "(it bundles the UI, which needs Node.js 20 or later and npm).\n",
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }

            context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
            if (path.Length == 0 || DeepLink().IsMatch(path))
            {
                return Index(context, provider, StatusCodes.Status200OK, contentSecurityPolicy);
            }

            var file = provider.GetFileInfo(path);
            if (file is { Exists: true, IsDirectory: false, PhysicalPath: not null })
            {
                context.Response.Headers.CacheControl = "no-cache";
                return TypedResults.PhysicalFile(file.PhysicalPath, ContentTypeOf(path), lastModified: file.LastModified, entityTag: Tag(file));
            }

            // A page the UI does not have: its own "not found" page, with the navigation, under a 404.
            return Path.HasExtension(path)
                ? Results.NotFound()
                : Index(context, provider, StatusCodes.Status404NotFound, contentSecurityPolicy);
        }

        private static IResult Index(HttpContext context, PhysicalFileProvider provider, int status, string policy)
        {
            var index = provider.GetFileInfo("index.html");
            context.Response.Headers.CacheControl = "no-cache";
            context.Response.Headers.ContentSecurityPolicy = policy;
            if (status != StatusCodes.Status200OK)
            {
                return Results.Content(File.ReadAllText(index.PhysicalPath!), "text/html; charset=utf-8", statusCode: status);
            }

            return TypedResults.PhysicalFile(index.PhysicalPath!, "text/html; charset=utf-8", lastModified: index.LastModified, entityTag: Tag(index));
        }

        private PhysicalFileProvider? Locate()
        {
            if (_provider is not null)
            {
                return _provider;
            }

            string?[] candidates =
            [
                environment.WebRootPath is { } webRoot ? Path.Combine(webRoot, "ui") : null,
                Path.Combine(AppContext.BaseDirectory, "wwwroot", "ui"),
                Path.Combine(environment.ContentRootPath, "wwwroot", "ui"),
            ];
            var root = candidates.FirstOrDefault(c => c is not null && File.Exists(Path.Combine(c, "index.html")));
            if (root is not null)
            {
                var created = new PhysicalFileProvider(root);
                if (Interlocked.CompareExchange(ref _provider, created, null) is not null)
                {
                    created.Dispose();
                }
            }

            return _provider;
        }

        private static EntityTagHeaderValue Tag(IFileInfo file) =>
            new($"\"{file.Length:x}-{file.LastModified.UtcTicks:x}\"");

        private static string ContentTypeOf(string path) =>
            ContentTypes.TryGetContentType(path, out var type) ? type : "application/octet-stream";

        private static FileExtensionContentTypeProvider CreateContentTypes()
        {
            var provider = new FileExtensionContentTypeProvider();
            provider.Mappings[".js"] = "text/javascript; charset=utf-8";
            provider.Mappings[".css"] = "text/css; charset=utf-8";
            provider.Mappings[".map"] = "application/json";
            return provider;
        }
    }
}
