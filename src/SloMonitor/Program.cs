using SloMonitor.Hosting;

// `SloMonitor validate FILE...` checks SLO files for CI pipelines, `apply`, `export` and `gate` talk to a running service;
// anything else runs the service.
if (args is ["validate", .. var files])
{
    return SloMonitor.Slos.SloValidateCommand.Run(files, Console.Out, Console.Error);
}

if (args is ["apply", .. var applyArgs])
{
    return await SloMonitor.Slos.SloApplyCommand.RunAsync(applyArgs, Console.In, Console.Out, Console.Error, Environment.GetEnvironmentVariable);
}

if (args is ["export", .. var exportArgs])
{
    return await SloMonitor.Slos.SloExportCommand.RunAsync(exportArgs, Console.In, Console.Out, Console.Error, Environment.GetEnvironmentVariable);
}

if (args is ["gate", .. var gateArgs])
{
    return await SloMonitor.Slos.SloGateCommand.RunAsync(gateArgs, Console.Out, Console.Error, Environment.GetEnvironmentVariable);
}

return await ServiceHost.RunAsync(args);

/// <summary>The entry point, named so that tests can refer to this assembly.</summary>
public partial class Program;
