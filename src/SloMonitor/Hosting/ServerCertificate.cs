using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SloMonitor.Hosting;

/// <summary>TLS on every listener, from <c>SloMonitor:Tls</c>; off while <see cref="CertificateFile"/> is empty.</summary>
internal sealed class TlsOptions
{
    public const string Section = ServiceOptions.Section + ":Tls";

    /// <summary>The server certificate, PEM: the leaf first, then any intermediates to send with it.</summary>
    public string CertificateFile { get; set; } = "";

    /// <summary>Its private key, PEM (PKCS#8, RSA or EC); empty when it is in <see cref="CertificateFile"/>.</summary>
    public string KeyFile { get; set; } = "";

    /// <summary>How often the files are read again; a changed certificate is served to new connections from then on.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(30);

    public bool Enabled => CertificateFile.Length > 0;
}

/// <summary>
/// The certificate the listeners serve, read from PEM files and swapped in when the files change (checked every
/// <c>SloMonitor:Tls:ReloadInterval</c> by <see cref="TlsReloadLoop"/>): new connections get the new certificate,
/// open ones keep theirs, and nothing restarts. A pair of files that cannot be read (say, the certificate written
/// but not yet its key) keeps the certificate served so far and is tried again at the next check.
/// </summary>
internal sealed class ServerCertificate
{
    private readonly TlsOptions _options;
    private SslStreamCertificateContext _context;
    private byte[] _stamp;

    private ServerCertificate(TlsOptions options, SslStreamCertificateContext context, byte[] stamp)
    {
        _options = options;
        _context = context;
        _stamp = stamp;
    }

    public TlsOptions Options => _options;

    /// <summary>The certificate served to connections opened now.</summary>
    public X509Certificate2 Current => Volatile.Read(ref _context).TargetCertificate;

    public SslStreamCertificateContext Context => Volatile.Read(ref _context);

    /// <summary>Reads the configured files, or stops start-up naming the key that is wrong.</summary>
    public static ServerCertificate Load(TlsOptions options)
    {
        if (options.ReloadInterval <= TimeSpan.Zero)
        {
            throw new StartupException($"{TlsOptions.Section}:ReloadInterval: must be a positive duration such as 00:00:30");
        }

        try
        {
            var (context, stamp) = Read(options);
            return new ServerCertificate(options, context, stamp);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            var key = e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException
                && options.KeyFile.Length > 0 && !File.Exists(options.KeyFile) ? "KeyFile" : "CertificateFile";
            throw new StartupException($"{TlsOptions.Section}:{key}: cannot use '{(key == "KeyFile" ? options.KeyFile : options.CertificateFile)}' as the server certificate{(options.KeyFile.Length > 0 ? " and key" : "")}: {e.Message}", e);
        }
    }

    /// <summary>Reads the files again; true when they changed and the new certificate is now served.</summary>
    public bool ReloadIfChanged(ILogger logger)
    {
        byte[] stamp;
        try
        {
            stamp = Stamp(_options);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            logger.LogWarning("TLS certificate files cannot be read ({Problem}); serving the certificate read before", e.Message);
            return false;
        }

        if (stamp.AsSpan().SequenceEqual(_stamp))
        {
            return false;
        }

        try
        {
            var (context, read) = Read(_options);
            Volatile.Write(ref _context, context);
            _stamp = read;
            logger.LogInformation(
                "TLS certificate reloaded: {Subject}, valid until {NotAfter:O}, thumbprint {Thumbprint}",
                context.TargetCertificate.Subject, context.TargetCertificate.NotAfter.ToUniversalTime(), context.TargetCertificate.Thumbprint);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            logger.LogWarning("TLS certificate files changed but cannot be used ({Problem}); serving the certificate read before", e.Message);
            return false;
        }
    }

    private static (SslStreamCertificateContext Context, byte[] Stamp) Read(TlsOptions options)
    {
        var stamp = Stamp(options);
        var leaf = X509Certificate2.CreateFromPemFile(options.CertificateFile, options.KeyFile.Length > 0 ? options.KeyFile : null);
        if (!leaf.HasPrivateKey)
        {
            throw new CryptographicException("no private key found");
        }

        var all = new X509Certificate2Collection();
        all.ImportFromPemFile(options.CertificateFile);
        var intermediates = new X509Certificate2Collection();
        foreach (var certificate in all)
        {
            if (certificate.Thumbprint != leaf.Thumbprint)
            {
                intermediates.Add(certificate);
            }
        }

        return (SslStreamCertificateContext.Create(leaf, intermediates, offline: true), stamp);
    }

    /// <summary>A SHA-256 over both files' contents: what tells a change, whatever way the files were replaced.</summary>
    private static byte[] Stamp(TlsOptions options)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(File.ReadAllBytes(options.CertificateFile));
        if (options.KeyFile.Length > 0)
        {
            hash.AppendData(File.ReadAllBytes(options.KeyFile));
        }

        return hash.GetHashAndReset();
    }
}

/// <summary>Checks the TLS files every <c>SloMonitor:Tls:ReloadInterval</c> and swaps in a changed certificate.</summary>
internal sealed class TlsReloadLoop(ServerCertificate certificate, TimeProvider time, ILogger<TlsReloadLoop> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(certificate.Options.ReloadInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                certificate.ReloadIfChanged(logger);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }
}
