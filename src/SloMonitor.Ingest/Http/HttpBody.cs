using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SloMonitor.Ingest;

/// <summary>
/// Reads a request body into a pooled buffer, gunzipping it when asked, and stops as soon as it would exceed the
/// limit (counted after decompression, so gzip bombs stop early too). A gzip body must end with a trailer whose
/// length matches what it inflated to, so a truncated upload is refused rather than partly applied. The buffer
/// grows with what arrives (a declared Content-Length reserves nothing), and every buffer held is counted in the
/// request's <see cref="BodyLease"/>.
/// </summary>
internal sealed class HttpBody : IDisposable
{
    private const int GzipMinimumLength = 18;
    private const int FirstBufferMaxBytes = 16 * 1024;

    private readonly BodyLease _lease;
    private byte[] _buffer;

    private HttpBody(byte[] buffer, int length, BodyLease lease)
    {
        _buffer = buffer;
        _lease = lease;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    /// <summary>The pooled buffer itself (its first <see cref="Length"/> bytes), valid until disposed.</summary>
    public byte[] Array => _buffer;

    public ReadOnlySequence<byte> Sequence => new(_buffer, 0, Length);

    public static async Task<HttpBody> ReadAsync(HttpRequest request, bool gzip, int maxBytes, BodyLease lease, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
        {
            throw new BodyTooLargeException(maxBytes);
        }

        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (sizeFeature is { IsReadOnly: false })
        {
            sizeFeature.MaxRequestBodySize = maxBytes + 1L;
        }

        HttpBody raw;
        try
        {
            raw = await ReadAllAsync(request.Body, request.ContentLength, maxBytes, lease, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw new BodyTooLargeException(maxBytes);
        }

        if (!gzip)
        {
            return raw;
        }

        using (raw)
        {
            if (raw.Length < GzipMinimumLength)
            {
                throw new OtlpDecodeException($"malformed gzip body: {raw.Length} bytes is shorter than any gzip stream");
            }

            var expectedLength = BinaryPrimitives.ReadUInt32LittleEndian(raw._buffer.AsSpan(raw.Length - 4, 4));
            using var compressed = new MemoryStream(raw._buffer, 0, raw.Length, writable: false);
            await using var gunzip = new GZipStream(compressed, CompressionMode.Decompress);
            HttpBody inflated;
            try
            {
                inflated = await ReadAllAsync(gunzip, Math.Min(expectedLength, (uint)maxBytes), maxBytes, lease, cancellationToken);
            }
            catch (InvalidDataException e)
            {
                throw new OtlpDecodeException("malformed gzip body: " + e.Message);
            }

            if ((uint)inflated.Length != expectedLength)
            {
                inflated.Dispose();
                throw new OtlpDecodeException("malformed gzip body: it is truncated (inflated length does not match its trailer)");
            }

            return inflated;
        }
    }

    /// <summary>Returns the buffer; the lease keeps counting its bytes until the request is answered.</summary>
    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private static async Task<HttpBody> ReadAllAsync(Stream source, long? expectedLength, int maxBytes, BodyLease lease, CancellationToken cancellationToken)
    {
        var buffer = Rent((int)Math.Clamp(expectedLength ?? 16 * 1024, 4096, Math.Min(maxBytes + 1L, FirstBufferMaxBytes)), lease);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = Rent((int)Math.Min(buffer.Length * 2L, maxBytes + 1L), lease);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    Return(buffer, lease);
                    buffer = larger;
                }

                var read = await source.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, maxBytes + 1) - length), cancellationToken);
                if (read == 0)
                {
                    return new HttpBody(buffer, length, lease);
                }

                length += read;
                if (length > maxBytes)
                {
                    throw new BodyTooLargeException(maxBytes);
                }
            }
        }
        catch
        {
            Return(buffer, lease);
            throw;
        }
    }

    private static byte[] Rent(int minimumLength, BodyLease lease)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(minimumLength);
        if (!lease.TryAdd(buffer.Length))
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new BytesInFlightException(lease.MaxBytes);
        }

        return buffer;
    }

    private static void Return(byte[] buffer, BodyLease lease)
    {
        ArrayPool<byte>.Shared.Return(buffer);
        lease.Remove(buffer.Length);
    }
}

/// <summary>The body (after decompression) is larger than <see cref="IngestOptions.MaxBodyBytes"/>.</summary>
internal sealed class BodyTooLargeException(int maxBytes)
    : Exception($"the request body is larger than the limit of {maxBytes} bytes (after decompression)");
