using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SloMonitor.Cluster.Deltas;

/// <summary>
/// HdrHistogram's writer-reader phaser, striped by thread: writers enter and leave a critical section around each
/// record and never wait; <see cref="Flip"/> starts a new phase and waits until every writer that entered before it
/// has left. A flusher swaps the buffer writers write to, flips, and then owns the old buffer alone.
/// </summary>
/// <remarks>
/// Each stripe keeps one counter of entries, whose sign is the phase (even phases count up from 0, odd ones from
/// <see cref="long.MinValue"/>), and one counter of exits per phase. A writer's ticket is the entry count it saw; it
/// leaves through the exit counter of its ticket's phase. Flipping swaps the entry counter to the other phase's start
/// and waits until the old phase's exits reach the entries the swap took. Stripes sit on cache lines of their own, so
/// writers on different cores do not contend; a flip visits every stripe.
/// </remarks>
internal sealed class WriterPhaser
{
    private const int MaxStripes = 16;
    private static readonly int StripeCount = (int)Math.Min(BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount), MaxStripes);
    private readonly Stripe[] _stripes;
    private readonly Lock _flipLock = new();

    public WriterPhaser()
    {
        _stripes = new Stripe[StripeCount];
        for (var i = 0; i < _stripes.Length; i++)
        {
            _stripes[i] = new Stripe();
        }
    }

    /// <summary>Enters the writers' critical section; pass the ticket to <see cref="Exit"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public PhaserTicket Enter()
    {
        var index = Environment.CurrentManagedThreadId & (_stripes.Length - 1);
        return new PhaserTicket(index, Interlocked.Increment(ref _stripes[index].Entries) - 1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Exit(PhaserTicket ticket)
    {
        var stripe = _stripes[ticket.Stripe];
        if (ticket.Entry < 0)
        {
            Interlocked.Increment(ref stripe.OddExits);
        }
        else
        {
            Interlocked.Increment(ref stripe.EvenExits);
        }
    }

    /// <summary>
    /// Starts a new phase and returns once every writer that entered before it has left: whatever those writers
    /// could reach before the flip is then the caller's alone. Flips are serialized.
    /// </summary>
    public void Flip()
    {
        lock (_flipLock)
        {
            foreach (var stripe in _stripes)
            {
                var nextEven = Volatile.Read(ref stripe.Entries) < 0;
                var start = nextEven ? 0 : long.MinValue;
                if (nextEven)
                {
                    Volatile.Write(ref stripe.EvenExits, start);
                }
                else
                {
                    Volatile.Write(ref stripe.OddExits, start);
                }

                stripe.LeftBehind = Interlocked.Exchange(ref stripe.Entries, start);
                stripe.WaitOdd = nextEven;
            }

            foreach (var stripe in _stripes)
            {
                var spin = default(SpinWait);
                while ((stripe.WaitOdd ? Volatile.Read(ref stripe.OddExits) : Volatile.Read(ref stripe.EvenExits)) != stripe.LeftBehind)
                {
                    spin.SpinOnce();
                }
            }
        }
    }

    /// <summary>One stripe's counters, in the middle of 192 bytes so that two stripes never share a cache line.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private sealed class Stripe
    {
        [FieldOffset(64)]
        public long Entries;

        [FieldOffset(72)]
        public long EvenExits;

        [FieldOffset(80)]
        public long OddExits = long.MinValue;

        /// <summary>The entries of the phase a flip ended (the flipper's own field).</summary>
        [FieldOffset(88)]
        public long LeftBehind;

        [FieldOffset(96)]
        public bool WaitOdd;
    }
}

/// <summary>A writer's place in the phaser: its stripe and the entry count it saw (the sign is the phase).</summary>
internal readonly record struct PhaserTicket(int Stripe, long Entry);
