namespace SloMonitor.Slos.Attribution;

/// <summary>What objects take on the 64-bit managed heap, for the memory estimates of attribution.</summary>
internal static class Heap
{
    /// <summary>An array of <paramref name="length"/> elements of <paramref name="elementSize"/> bytes: header, length, data, rounded to 8.</summary>
    public static int Array(int length, int elementSize) => Math.Max(24, Align(24 + (length * elementSize)));

    /// <summary>An object with <paramref name="fieldBytes"/> of fields: header and method table, rounded to 8.</summary>
    public static int Object(int fieldBytes) => Math.Max(24, Align(16 + fieldBytes));

    public static int Align(int bytes) => (bytes + 7) & ~7;
}
