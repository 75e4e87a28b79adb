using System.Buffers;
using System.IO.Compression;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace SloMonitor.Ingest;

/// <summary>
/// Reads a request body into a pooled buffer, gunzipping it when asked, and stops as soon as it would exceed the
/// limit (counted after decompression, so gzip bombs stop early too).
/// </summary>
internal sealed class HttpBody : IDisposable
{
    private byte[] _buffer;

    private HttpBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ReadOnlySequence<byte> Sequence => new(_buffer, 0, Length);

    public static async Task<HttpBody> ReadAsync(HttpRequest request, bool gzip, int maxBytes, CancellationToken cancellationToken)
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

        Stream source = request.Body;
        GZipStream? gunzip = null;
        if (gzip)
        {
            source = gunzip = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(request.ContentLength ?? 16 * 1024, 4096, maxBytes + 1L));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length > maxBytes)
                    {
                        throw new BodyTooLargeException(maxBytes);
                    }

                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(buffer.Length * 2L, maxBytes + 1L));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await source.ReadAsync(buffer.AsMemory(length, Math.Min(buffer.Length, maxBytes + 1) - length), cancellationToken);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBytes)
                {
                    throw new BodyTooLargeException(maxBytes);
                }
            }

            return new HttpBody(buffer, length);
        }
        catch (InvalidDataException e)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new OtlpDecodeException("malformed gzip body: " + e.Message);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw new BodyTooLargeException(maxBytes);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
        finally
        {
            if (gunzip is not null)
            {
                await gunzip.DisposeAsync();
            }
        }
    }

    public void Dispose()
    {
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }
}

/// <summary>The body (after decompression) is larger than <see cref="IngestOptions.MaxBodyBytes"/>.</summary>
internal sealed class BodyTooLargeException(int maxBytes)
    : Exception($"the request body is larger than the limit of {maxBytes} bytes (after decompression)");
