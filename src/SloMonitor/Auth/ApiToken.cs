using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace SloMonitor.Auth;

/// <summary>
/// The secret of an API token: <c>slom_</c> and 43 base64url characters (256 random bits). Only its SHA-256 is
/// stored. A fast hash is enough here, unlike for passwords: with 256 bits of entropy no guess list exists, so a slow
/// hash (bcrypt, Argon2) would add nothing but cost on every cache miss, and a deterministic hash lets a token be
/// found by an index lookup.
/// </summary>
internal static class ApiToken
{
    public const string Prefix = "slom_";
    private const int RandomBytes = 32;
    public const int Length = 5 + 43;

    public static string Create()
    {
        Span<byte> random = stackalloc byte[RandomBytes];
        RandomNumberGenerator.Fill(random);
        return Prefix + Base64Url.EncodeToString(random);
    }

    /// <summary>The first characters shown in lists, so one can tell tokens apart without the secret.</summary>
    public static string Hint(string token) => token[..(Prefix.Length + 4)] + "…";

    /// <summary>True when <paramref name="token"/> has a token's shape; anything else is refused without a lookup.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> token) =>
        token.Length == Length && token.StartsWith(Prefix, StringComparison.Ordinal) && Base64Url.IsValid(token[Prefix.Length..]);

    /// <summary>The SHA-256 of the token's characters, computed without allocating.</summary>
    public static TokenHash Hash(ReadOnlySpan<char> token)
    {
        Span<byte> utf8 = stackalloc byte[Length * 3];
        var count = Encoding.UTF8.GetBytes(token, utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8[..count], hash);
        return TokenHash.From(hash);
    }
}

/// <summary>A token's SHA-256 as a value, to key the cache of validated tokens without allocating.</summary>
internal readonly record struct TokenHash(ulong A, ulong B, ulong C, ulong D)
{
    public static TokenHash From(ReadOnlySpan<byte> hash) => new(
        BitConverter.ToUInt64(hash[..8]), BitConverter.ToUInt64(hash[8..16]), BitConverter.ToUInt64(hash[16..24]), BitConverter.ToUInt64(hash[24..32]));

    public byte[] ToBytes()
    {
        var bytes = new byte[32];
        BitConverter.TryWriteBytes(bytes.AsSpan(0, 8), A);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 8), B);
        BitConverter.TryWriteBytes(bytes.AsSpan(16, 8), C);
        BitConverter.TryWriteBytes(bytes.AsSpan(24, 8), D);
        return bytes;
    }
}
