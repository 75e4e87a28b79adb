using SloMonitor.Histograms;
using SloMonitor.Slos.Evaluation;

namespace SloMonitor.Slos.Recording;

/// <summary>The checkpoint of a track: written, restored at start-up, or merged into a track that recorded meanwhile.</summary>
internal sealed partial class SliTrack
{
    /// <summary>The series' state in one blob: a version, the slice-judging mark, then each series and the alert state tagged.</summary>
    public byte[] Checkpoint()
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        writer.Write(CheckpointVersion);
        writer.Write(_slicesDoneUntilMs);
        void Part(byte tag, byte[]? bytes)
        {
            if (bytes is not null)
            {
                writer.Write(tag);
                writer.Write(bytes.Length);
                writer.Write(bytes);
            }
        }

        Part(1, _events?.ToBytes());
        Part(2, _latency?.ToBytes());
        Part(3, _numerator?.ToBytes());
        Part(4, _slices?.ToBytes());
        Part(5, _gauge?.ToBytes());
        Part(6, AlertBytes());
        writer.Flush();
        return stream.ToArray();
    }

    /// <summary>
    /// Replaces the series with those of a checkpoint written by <see cref="Checkpoint"/> for the same SLI and
    /// retention (the caller checks). Meant for start-up, before traffic: events recorded meanwhile are lost.
    /// Throws <see cref="FormatException"/> on a damaged checkpoint, leaving the track as it was.
    /// </summary>
    public void Restore(byte[] state)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(state));
            if (reader.ReadInt32() != CheckpointVersion)
            {
                throw new FormatException("unknown SLI track checkpoint version");
            }

            var doneUntil = reader.ReadInt64();
            SliSeries? events = _events, latency = _latency, numerator = _numerator, slices = _slices;
            var gauge = _gauge;
            Dictionary<string, AlertTracker.State>? alerts = null;
            while (reader.BaseStream.Position < reader.BaseStream.Length)
            {
                var tag = reader.ReadByte();
                var bytes = reader.ReadBytes(reader.ReadInt32());
                switch (tag)
                {
                    case 1 when events is not null: events = SliSeries.FromBytes(bytes); break;
                    case 2 when latency is not null: latency = SliSeries.FromBytes(bytes); break;
                    case 3 when numerator is not null: numerator = SliSeries.FromBytes(bytes); break;
                    case 4 when slices is not null: slices = SliSeries.FromBytes(bytes); break;
                    case 5 when gauge is not null: gauge = GaugeSeries.FromBytes(bytes); break;
                    case 6: alerts = AlertTracker.Read(new BinaryReader(new MemoryStream(bytes))); break;
                    default: throw new FormatException($"checkpoint part {tag} does not fit this SLI");
                }
            }

            (_events, _latency, _numerator, _slices, _gauge, _slicesDoneUntilMs) = (events, latency, numerator, slices, gauge, doneUntil);
            if (alerts is not null)
            {
                lock (EvaluationLock)
                {
                    Alerts.Restore(alerts);
                }
            }
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("truncated SLI track checkpoint", e);
        }
    }

    /// <summary>
    /// Adds the series of a checkpoint written by <see cref="Checkpoint"/> for the same SLI and retention into this
    /// track while it goes on recording (a checkpoint that comes back from the database after start-up): events add
    /// up slice by slice, so nothing recorded meanwhile is lost and nothing is counted twice, provided the checkpoint
    /// holds none of the events this track already has. The alert state stays this track's own (it is the newer).
    /// Throws <see cref="FormatException"/> on a damaged checkpoint, before anything is merged.
    /// </summary>
    public void Merge(byte[] state)
    {
        try
        {
            using var reader = new BinaryReader(new MemoryStream(state));
            if (reader.ReadInt32() != CheckpointVersion)
            {
                throw new FormatException("unknown SLI track checkpoint version");
            }

            var doneUntil = reader.ReadInt64();
            var merges = new List<Action>();
            while (reader.BaseStream.Position < reader.BaseStream.Length)
            {
                var tag = reader.ReadByte();
                var bytes = reader.ReadBytes(reader.ReadInt32());
                merges.Add(tag switch
                {
                    1 when _events is { } events => MergeInto(events, bytes),
                    2 when _latency is { } latency => MergeInto(latency, bytes),
                    3 when _numerator is { } numerator => MergeInto(numerator, bytes),
                    4 when _slices is { } slices => MergeInto(slices, bytes),
                    5 when _gauge is { } gauge => MergeGauge(gauge, bytes),
                    6 => () => { },
                    _ => throw new FormatException($"checkpoint part {tag} does not fit this SLI"),
                });
            }

            lock (EvaluationLock)
            {
                foreach (var merge in merges)
                {
                    merge();
                }

                _slicesDoneUntilMs = Math.Max(_slicesDoneUntilMs, doneUntil);
            }
        }
        catch (EndOfStreamException e)
        {
            throw new FormatException("truncated SLI track checkpoint", e);
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"the checkpoint does not fit this SLI: {e.Message}", e);
        }

        // Checked now, merged with the other parts under the lock: a part that does not fit changes nothing.
        static Action MergeInto(SliSeries series, byte[] bytes)
        {
            series.CheckMergeable(bytes);
            return () => series.MergeBytes(bytes);
        }

        static Action MergeGauge(GaugeSeries series, byte[] bytes)
        {
            var saved = GaugeSeries.FromBytes(bytes);
            return () => series.MergeFrom(saved);
        }
    }

    private byte[] AlertBytes()
    {
        using var stream = new MemoryStream();
        using var writer = new BinaryWriter(stream);
        lock (EvaluationLock)
        {
            Alerts.WriteTo(writer);
        }

        writer.Flush();
        return stream.ToArray();
    }
}
