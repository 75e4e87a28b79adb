using System.Globalization;
using System.Text.Json;

namespace SloMonitor.Auth;

/// <summary>
/// The validated tokens on local disk (<c>Auth:TokenCacheFile</c>): their hashes, names, tenants, scopes and expiry,
/// never a secret. Read at start, so a service restarted while PostgreSQL is away still accepts the tokens it had
/// seen; rewritten (to a temporary file, then renamed, readable by its owner only) when the set changed.
/// </summary>
internal static class TokenCacheFile
{
    public static IReadOnlyList<(TokenHash Hash, TokenInfo Token)> Read(string path)
    {
        if (path.Length == 0 || !File.Exists(path))
        {
            return [];
        }

        var entries = JsonSerializer.Deserialize<List<Line>>(File.ReadAllText(path)) ?? [];
        return entries.Select(e => (TokenHash.From(Convert.FromHexString(e.Hash)), new TokenInfo(
            e.Id, e.Tenant, e.Name, "", e.Scopes, default, "", e.ExpiresAt, null, null))).ToList();
    }

    public static void Write(string path, IEnumerable<(TokenHash Hash, TokenInfo Token)> tokens)
    {
        if (path.Length == 0)
        {
            return;
        }

        var lines = tokens.Select(t => new Line(Convert.ToHexString(t.Hash.ToBytes()), t.Token.Id, t.Token.Tenant, t.Token.Name, [.. t.Token.Scopes], t.Token.ExpiresAt)).ToList();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, "." + Path.GetFileName(path) + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, lines);
        }

        File.Move(temporary, path, overwrite: true);
    }

    private sealed record Line(string Hash, long Id, string Tenant, string Name, string[] Scopes, DateTimeOffset? ExpiresAt);
}
