using Microsoft.Playwright;
using SloMonitor.Testing;

namespace SloMonitor.Tests.Ui;

/// <summary>
/// Headless Chromium from the operating system (never a downloaded browser), driven by Playwright, at a laptop's
/// screen size. Collects the page's script errors so that tests can assert there were none.
/// </summary>
internal sealed class UiBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;

    private UiBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    /// <summary>Script errors and failed API calls seen by any page this browser opened.</summary>
    public List<string> Errors { get; } = [];

    public static async Task<UiBrowser> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"UI tests need Debian's chromium package at {ChromiumPath} (apt-get install chromium).");
        }

        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
            Timeout = 60_000,
        });
        return new UiBrowser(playwright, browser);
    }

    /// <summary>
    /// Opens <paramref name="path"/> (e.g. <c>ui/oncall</c>) under <paramref name="baseAddress"/> and waits for its first
    /// refresh; signed in with <paramref name="token"/>, or the token registered for the service, unless
    /// <paramref name="signedIn"/> is false.
    /// </summary>
    public async Task<IPage> OpenAsync(Uri baseAddress, string path, bool signedIn = true, string? token = null)
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        page.SetDefaultTimeout(15_000);
        if (signedIn && (token ?? TestTokens.For(baseAddress)) is { } signedInWith)
        {
            // Signed in as the sign-in form would leave it (the service's admin token unless told otherwise).
            await page.AddInitScriptAsync($"sessionStorage.setItem('slomonitor.token', '{signedInWith}')");
        }

        page.PageError += (_, error) => Record($"script error on {page.Url}: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Record($"console error on {page.Url}: {message.Text}");
            }
        };
        // Commit, not load: the page says itself when its data is in (its main element stops being busy).
        await page.GotoAsync(path, new() { WaitUntil = WaitUntilState.Commit });
        await WaitForRefreshAsync(page);
        return page;
    }

    /// <summary>
    /// After a click that navigates: waits until the page's address ends with <paramref name="path"/>, then for the new
    /// page's first refresh. Reads the address the browser reports rather than waiting on a load state: Playwright
    /// waits for a load event of its own when the address already matches, and on a slow machine that wait outlasted
    /// the page being ready.
    /// </summary>
    public static async Task WaitForAddressAsync(IPage page, string path)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!new Uri(page.Url).AbsolutePath.EndsWith(path, StringComparison.Ordinal))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the page stayed at {page.Url}; expected an address ending {path}");
            }

            await Task.Delay(50);
        }

        await WaitForRefreshAsync(page);
    }

    /// <summary>Waits until the page finished a refresh (its main element is no longer busy) and did not fail.</summary>
    public static async Task WaitForRefreshAsync(IPage page)
    {
        await page.Locator("main[aria-busy='false']").WaitForAsync();
        var error = await page.Locator("main").GetAttributeAsync("data-refresh-error");
        if (error is not null)
        {
            throw new InvalidOperationException($"{page.Url} could not load its data: {error}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    private void Record(string error)
    {
        lock (Errors)
        {
            Errors.Add(error);
        }
    }
}
