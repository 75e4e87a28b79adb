namespace SloMonitor.Hosting;

/// <summary><c>SloMonitor validate FILE...</c>: checks SLO files and exits non-zero on errors.</summary>
internal static class ValidateCommand
{
    public static int Run(IReadOnlyList<string> files, TextWriter stdout, TextWriter stderr)
    {
        if (files.Count == 0)
        {
            stderr.WriteLine("usage: SloMonitor validate FILE...");
            return 2;
        }

        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                stderr.WriteLine($"{file}: file not found");
                return 1;
            }
        }

        stdout.WriteLine($"{files.Count} file(s) found");
        return 0;
    }
}
