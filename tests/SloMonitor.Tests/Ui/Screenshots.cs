using Microsoft.Playwright;

namespace SloMonitor.Tests.Ui;

/// <summary>Saves what a page shows to docs/screenshots/NAME.png in the repository, for the README and docs/ui.md.</summary>
internal static class Screenshots
{
    public static async Task SaveAsync(IPage page, string name)
    {
        var folder = Path.Combine(RepositoryRoot(), "docs", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "SloMonitor.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no SloMonitor.sln above {AppContext.BaseDirectory}: cannot tell where docs/screenshots is");
    }
}
