using Microsoft.Playwright;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Ui;

/// <summary>Saves what a page shows to docs/screenshots/NAME.png in the repository, for the README and docs/ui.md.</summary>
internal static class Screenshots
{
    public static async Task SaveAsync(IPage page, string name)
    {
        var folder = RepositoryRoot.Combine("docs", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
