namespace SloMonitor.Fuzz.Tests.Support;

/// <summary>
/// Byte-level mutations of corpus inputs, as libFuzzer's default mutators do: flip bits, set interesting bytes,
/// insert, delete or repeat a range, splice two inputs, insert a token of the target's dictionary, and, for
/// protobuf, rewrite a varint (where lengths and tags live). Deterministic for a given seed.
/// </summary>
internal sealed class Mutator(int seed, IReadOnlyList<byte[]> dictionary)
{
    private static readonly byte[] Interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF, 0x0A, 0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x3A, 0x2C];
    private readonly Random _random = new(seed);

    public byte[] Mutate(byte[] input, byte[] other, int maxLength)
    {
        var data = new List<byte>(input);
        var rounds = 1 + _random.Next(4);
        for (var i = 0; i < rounds; i++)
        {
            Step(data, other);
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return [.. data];
    }

    private void Step(List<byte> data, byte[] other)
    {
        var at = data.Count == 0 ? 0 : _random.Next(data.Count);
        switch (_random.Next(10))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[at] = Interesting[_random.Next(Interesting.Length)];
                break;
            case 2:
                data.InsertRange(at, Bytes(1 + _random.Next(8)));
                break;
            case 3 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                break;
            case 4 when data.Count > 0:
                var length = Math.Min(data.Count - at, 1 + _random.Next(64));
                data.InsertRange(_random.Next(data.Count), data.GetRange(at, length));
                break;
            case 5 when other.Length > 0:
                var from = _random.Next(other.Length);
                data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + _random.Next(128))).ToArray());
                break;
            case 6 when dictionary.Count > 0:
                data.InsertRange(at, dictionary[_random.Next(dictionary.Count)]);
                break;
            case 7 when data.Count > 0:
                data.RemoveRange(at, data.Count - at);
                break;
            case 8 when data.Count > 0:
                // A varint somewhere: a length or tag of protobuf, a number in text.
                data.RemoveAt(at);
                data.InsertRange(at, Varint((ulong)(_random.Next(3) switch { 0 => _random.Next(128), 1 => _random.Next(1 << 20), _ => _random.NextInt64() })));
                break;
            default:
                if (data.Count > 0)
                {
                    data[at] = (byte)_random.Next(256);
                }

                break;
        }
    }

    private byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Varint(ulong value)
    {
        var bytes = new List<byte>();
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }
}
