using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SloMonitor.Testing;

/// <summary>A certificate authority of the test's own and server certificates for 127.0.0.1 issued by it, as PEM files.</summary>
internal sealed class TestCertificates : IDisposable
{
    private readonly X509Certificate2 _ca;
    private int _serial;

    public TestCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("slomonitor-tls-").FullName;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=SloMonitor Test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        CaFile = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(CaFile, _ca.ExportCertificatePem());
    }

    public string Directory { get; }

    /// <summary>The CA's certificate, PEM: what clients are told to trust.</summary>
    public string CaFile { get; }

    public X509Certificate2 Ca => _ca;

    /// <summary>Issues a server certificate for 127.0.0.1 and writes it and its key to <c>server.pem</c> and <c>server.key</c>.</summary>
    public X509Certificate2 IssueServer(string commonName)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = BitConverter.GetBytes(Interlocked.Increment(ref _serial) + 1000L);
        using var issued = request.Create(_ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(7), serial);
        var withKey = issued.CopyWithPrivateKey(key);

        // Written to temporary names first and moved, as a secret mount or cert-manager replaces them.
        File.WriteAllText(Path.Combine(Directory, "server.pem.tmp"), withKey.ExportCertificatePem());
        File.WriteAllText(Path.Combine(Directory, "server.key.tmp"), key.ExportPkcs8PrivateKeyPem());
        File.Move(Path.Combine(Directory, "server.pem.tmp"), CertificateFile, overwrite: true);
        File.Move(Path.Combine(Directory, "server.key.tmp"), KeyFile, overwrite: true);
        return withKey;
    }

    public string CertificateFile => Path.Combine(Directory, "server.pem");

    public string KeyFile => Path.Combine(Directory, "server.key");

    /// <summary>Settings that turn TLS on with the issued certificate.</summary>
    public void AddSettings(Dictionary<string, string?> settings, string reloadInterval = "00:00:30")
    {
        settings["SloMonitor:Tls:CertificateFile"] = CertificateFile;
        settings["SloMonitor:Tls:KeyFile"] = KeyFile;
        settings["SloMonitor:Tls:ReloadInterval"] = reloadInterval;
    }

    /// <summary>A handler that trusts this CA only (not the machine's roots), and tells which certificate it was shown.</summary>
    public SocketsHttpHandler TrustingHandler(Action<X509Certificate2>? seen = null) => new()
    {
        SslOptions =
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                {
                    return false;
                }

                using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                seen?.Invoke(server);
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(_ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(server);
            },
        },
        PooledConnectionLifetime = TimeSpan.Zero,
    };

    public static Uri Https(Uri endpoint) => new UriBuilder(endpoint) { Scheme = Uri.UriSchemeHttps }.Uri;

    public void Dispose()
    {
        _ca.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // left to the OS's temp cleanup
        }
    }
}
