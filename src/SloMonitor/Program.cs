using SloMonitor.Hosting;

// `SloMonitor validate FILE...` checks SLO files for CI pipelines; anything else runs the service.
if (args is ["validate", .. var files])
{
    return SloMonitor.Slos.SloValidateCommand.Run(files, Console.Out, Console.Error);
}

return await ServiceHost.RunAsync(args);

/// <summary>The entry point, named so that tests can refer to this assembly.</summary>
public partial class Program;
