using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace SloMonitor.Auth;

/// <summary>
/// Answers a refused request: 401 with <c>WWW-Authenticate</c> without a valid token, 403 naming the missing scope,
/// 503 when a token cannot be checked because PostgreSQL is away. On gRPC the same as a status in the trailers:
/// <c>UNAUTHENTICATED</c>, <c>PERMISSION_DENIED</c>, <c>UNAVAILABLE</c>.
/// </summary>
internal sealed class AuthFailureResponses : IAuthorizationMiddlewareResultHandler
{
    public const string DatabaseUnavailable = "the token cannot be checked while the database is unavailable; try again shortly";
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            var problem = context.Items[TokenAuthenticationHandler.ProblemKey] as string;
            if (problem == DatabaseUnavailable)
            {
                await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, 14, problem, null);
                return;
            }

            var message = problem is null
                ? "a token is required: send 'Authorization: Bearer <token>' (create one with `SloMonitor tokens create`)"
                : problem;
            var error = problem is null ? null : "invalid_token";
            var challenge = error is null ? "Bearer realm=\"SloMonitor\"" : $"Bearer realm=\"SloMonitor\", error=\"{error}\", error_description=\"{message}\"";
            await WriteAsync(context, StatusCodes.Status401Unauthorized, 16, message, challenge);
            return;
        }

        if (authorizeResult.Forbidden)
        {
            var missing = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().Select(r => r.Scope).FirstOrDefault() ?? "?";
            var name = context.User.Identity?.Name ?? "?";
            var message = $"the token '{name}' lacks the scope '{missing}' this needs";
            await WriteAsync(context, StatusCodes.Status403Forbidden, 7, message,
                $"Bearer realm=\"SloMonitor\", error=\"insufficient_scope\", scope=\"{missing}\"", missing);
            return;
        }

        await _default.HandleAsync(next, context, policy, authorizeResult);
    }

    private static async Task WriteAsync(HttpContext context, int status, int grpcStatus, string message, string? challenge, string? scope = null)
    {
        var response = context.Response;
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            // A trailers-only gRPC answer: the status in the headers of a 200 response without a body.
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = grpcStatus.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = Uri.EscapeDataString(message);
            return;
        }

        response.StatusCode = status;
        if (challenge is not null)
        {
            response.Headers.WWWAuthenticate = challenge;
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            response.Headers.RetryAfter = "5";
        }

        await response.WriteAsJsonAsync<object>(scope is null ? new { error = message } : new { error = message, scope });
    }
}
