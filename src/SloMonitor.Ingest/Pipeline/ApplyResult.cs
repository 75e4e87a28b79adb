namespace SloMonitor.Ingest;

/// <summary>What applying one export request did: items accepted, items rejected and the first problem met.</summary>
internal readonly record struct ApplyResult(long Accepted, long Rejected, string? ErrorMessage);

/// <summary>Counts accepted and rejected items of one request, keeping the message of the first rejection.</summary>
internal struct ApplyTally
{
    public long Accepted;
    public long Rejected;
    public string? FirstError;

    public void Reject(string message)
    {
        Rejected++;
        FirstError ??= message;
    }

    public void Reject(long count, string message)
    {
        if (count <= 0)
        {
            return;
        }

        Rejected += count;
        FirstError ??= message;
    }

    public readonly ApplyResult ToResult() => new(Accepted, Rejected, FirstError);
}
