namespace SloMonitor.Histograms;

/// <summary>How a time slice's gauge samples are reduced before comparing with the threshold.</summary>
public enum GaugeAggregation
{
    Max,
    Avg,
}
