using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Time.Testing;
using Skiff.ApiServer.Security;
using Xunit;

namespace Skiff.ApiServer.Tests.Security;

public sealed class ServingCertificateRotatorTests
{
    [Fact]
    public void Select_RenewsAtEightyPercentOfLifetime_WritesTheNewPair_AndKeepsItUntilThen()
    {
        var dir = Directory.CreateTempSubdirectory("skiff-rotate-");
        try
        {
            var pki = ClusterCertificates.LoadOrCreate(dir.FullName);
            var initial = pki.Serving;
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var rotator = new ServingCertificateRotator(dir.FullName, initial, [IPAddress.Loopback], clock, TimeSpan.FromHours(1));
            Assert.Same(initial, rotator.Select());

            // Past 80 % of the initial certificate's lifetime: a new one, valid an hour, written to disk.
            clock.SetUtcNow(new DateTimeOffset(initial.NotBefore.ToUniversalTime()) + ((initial.NotAfter - initial.NotBefore) * 0.81));
            var renewed = rotator.Select();
            Assert.NotEqual(initial.SerialNumber, renewed.SerialNumber);
            Assert.True(renewed.HasPrivateKey);
            Assert.Equal(TimeSpan.FromMinutes(65), renewed.NotAfter - renewed.NotBefore);
            using (var onDisk = X509Certificate2.CreateFromPemFile(Path.Combine(dir.FullName, "apiserver.crt"), Path.Combine(dir.FullName, "apiserver.key")))
            {
                Assert.Equal(renewed.SerialNumber, onDisk.SerialNumber);
            }

            var sans = renewed.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();
            Assert.Contains(IPAddress.Parse("10.0.0.1"), sans.EnumerateIPAddresses());
            Assert.Contains("kubernetes.default.svc", sans.EnumerateDnsNames());
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(pki.Ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.VerificationTime = clock.GetUtcNow().UtcDateTime;
            Assert.True(chain.Build(renewed));

            // 40 minutes on (under 80 % of 65 minutes from NotBefore, which is five minutes back): the same one.
            clock.Advance(TimeSpan.FromMinutes(40));
            Assert.Same(renewed, rotator.Select());

            // 48 minutes on: past 80 %, renewed again.
            clock.Advance(TimeSpan.FromMinutes(8));
            Assert.NotEqual(renewed.SerialNumber, rotator.Select().SerialNumber);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Select_ReloadsAPairReplacedOnDisk_AndReissuesWhenAListenAddressLacksASan()
    {
        var dir = Directory.CreateTempSubdirectory("skiff-rotate-");
        var other = Directory.CreateTempSubdirectory("skiff-rotate-");
        try
        {
            var pki = ClusterCertificates.LoadOrCreate(dir.FullName);
            var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);

            // Listening on 192.0.2.10, which the initial certificate does not name: re-issued with it at once.
            var rotator = new ServingCertificateRotator(dir.FullName, pki.Serving, [IPAddress.Parse("192.0.2.10")], clock);
            var withSan = rotator.Select();
            Assert.NotEqual(pki.Serving.SerialNumber, withSan.SerialNumber);
            Assert.Contains(IPAddress.Parse("192.0.2.10"), withSan.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses());

            // An operator replaces the pair on disk (same CA, same SANs): served from the next handshake.
            foreach (var f in new[] { "ca.crt", "ca.key" })
            {
                File.Copy(Path.Combine(dir.FullName, f), Path.Combine(other.FullName, f));
            }

            var replacement = new ServingCertificateRotator(other.FullName, pki.Serving, [IPAddress.Parse("192.0.2.10")], clock).Select();
            File.Copy(Path.Combine(other.FullName, "apiserver.key"), Path.Combine(dir.FullName, "apiserver.key"), overwrite: true);
            File.Copy(Path.Combine(other.FullName, "apiserver.crt"), Path.Combine(dir.FullName, "apiserver.crt"), overwrite: true);
            File.SetLastWriteTimeUtc(Path.Combine(dir.FullName, "apiserver.crt"), DateTime.UtcNow.AddSeconds(5));
            Assert.Equal(replacement.SerialNumber, rotator.Select().SerialNumber);
        }
        finally
        {
            dir.Delete(recursive: true);
            other.Delete(recursive: true);
        }
    }
}
