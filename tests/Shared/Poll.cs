namespace SloMonitor.Testing;

/// <summary>Reads something until it is as expected, within a deadline: the way tests wait, instead of sleeping.</summary>
internal static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(done);
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                var seen = value is System.Collections.IEnumerable items and not string
                    ? "[" + string.Join(", ", items.Cast<object>()) + "]"
                    : value?.ToString();
                throw new TimeoutException($"{what} did not happen within {timeout}; last seen: {seen}");
            }

            await Task.Delay(50);
        }
    }
}
