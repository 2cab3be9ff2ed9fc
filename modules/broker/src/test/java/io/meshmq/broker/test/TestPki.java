package io.meshmq.broker.test;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.net.Socket;
import java.security.Principal;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.KeyManagerFactorySpi;
import javax.net.ssl.ManagerFactoryParameters;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for TLS tests: a CA, server certificates for 127.0.0.1/localhost and client
 * certificates, made fresh in each test (EC P-256, valid for a day), written as PEM files like an operator would.
 */
public final class TestPki {

  private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

  private final String name;
  private final KeyPair caKeys;
  private final X509Certificate ca;

  private TestPki(String name, KeyPair caKeys, X509Certificate ca) {
    this.name = name;
    this.caKeys = caKeys;
    this.ca = ca;
  }

  /** A new CA whose subject is {@code CN=name}. */
  public static TestPki newCa(String name) {
    KeyPair keys = keyPair();
    X500Name subject = new X500Name("CN=" + name);
    X509Certificate ca = sign(new JcaX509v3CertificateBuilder(subject, serial(), notBefore(), notAfter(), subject, keys.getPublic()),
        keys.getPrivate(), true, List.of());
    return new TestPki(name, keys, ca);
  }

  /** A new CA, and a certificate of its for the broker (CN=broker) written as {@code dir}/broker.crt and broker.key. */
  public static TestPki withServerFiles(Path dir) throws IOException {
    TestPki pki = newCa("MeshMQ test CA");
    pki.server("broker").write(dir.resolve("broker.crt"), dir.resolve("broker.key"));
    return pki;
  }

  public X509Certificate caCertificate() {
    return ca;
  }

  /** A certificate for the broker at 127.0.0.1 and localhost, with subject {@code CN=cn}. */
  public Issued server(String cn) {
    return issue("CN=" + cn, List.of(new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
        new GeneralName(GeneralName.dNSName, "localhost")));
  }

  /** A client certificate with subject {@code CN=cn} and the given e-mail subject alternative names. */
  public Issued client(String cn, String... emails) {
    List<GeneralName> sans = new ArrayList<>();
    for (String e : emails) {
      sans.add(new GeneralName(GeneralName.rfc822Name, e));
    }
    return issue("CN=" + cn + ",O=MeshMQ tests", sans);
  }

  private Issued issue(String subject, List<GeneralName> sans) {
    KeyPair keys = keyPair();
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca, serial(), notBefore(), notAfter(),
        new X500Name(subject), keys.getPublic());
    return new Issued(keys.getPrivate(), sign(b, caKeys.getPrivate(), false, sans), ca);
  }

  /** Writes the CA certificate as PEM. */
  public Path writeCa(Path file) throws IOException {
    return Files.writeString(file, pem("CERTIFICATE", encoded(ca)));
  }

  /** A certificate with its key, as issued by this CA. */
  public record Issued(PrivateKey key, X509Certificate certificate, X509Certificate issuer) {

    /** Writes the certificate (then its CA) and the PKCS#8 key as PEM files. */
    public void write(Path certFile, Path keyFile) throws IOException {
      Files.writeString(certFile, pem("CERTIFICATE", encoded(certificate)) + pem("CERTIFICATE", encoded(issuer)));
      Files.writeString(keyFile, pem("PRIVATE KEY", key.getEncoded()));
    }

    /** A TLS context presenting this certificate and trusting {@code trusted}. */
    public SSLContext clientContext(X509Certificate trusted) {
      return TestPki.clientContext(trusted, this);
    }

    /**
     * Key managers that always present this certificate, even to a server asking for certificates of other CAs
     * (the JDK's own would then present none), so that a test can show the server refusing an untrusted one.
     */
    public KeyManagerFactory keyManagers() {
      return new KeyManagerFactory(new AlwaysPresent(this), null, "always-present") { };
    }
  }

  private static final class AlwaysPresent extends KeyManagerFactorySpi {
    private final Issued issued;

    AlwaysPresent(Issued issued) {
      this.issued = issued;
    }

    @Override
    protected void engineInit(KeyStore ks, char[] password) {
    }

    @Override
    protected void engineInit(ManagerFactoryParameters spec) {
    }

    @Override
    protected KeyManager[] engineGetKeyManagers() {
      return new KeyManager[] {new X509ExtendedKeyManager() {
        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
          return new String[] {"client"};
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
          return "client";
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
          return "client";
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
          return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
          return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
          return new X509Certificate[] {issued.certificate(), issued.issuer()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
          return issued.key();
        }
      }};
    }
  }

  /** Trust manager factory trusting only {@code trusted}. */
  public static TrustManagerFactory trusting(X509Certificate trusted) {
    try {
      KeyStore ts = KeyStore.getInstance("PKCS12");
      ts.load(null, null);
      ts.setCertificateEntry("ca", trusted);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ts);
      return tmf;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A TLS client context trusting {@code trusted}, presenting {@code own} when not null. */
  public static SSLContext clientContext(X509Certificate trusted, Issued own) {
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(own == null ? null : own.keyManagers().getKeyManagers(), trusting(trusted).getTrustManagers(), new SecureRandom());
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "TestPki " + name;
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer, boolean isCa, List<GeneralName> sans) {
    try {
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
      b.addExtension(Extension.keyUsage, true, isCa ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
          : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyAgreement));
      if (!sans.isEmpty()) {
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      }
      ContentSigner contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").build(signer);
      return new JcaX509CertificateConverter().getCertificate(b.build(contentSigner));
    } catch (IOException | OperatorCreationException | GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static KeyPair keyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"));
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static BigInteger serial() {
    return BigInteger.valueOf(SERIAL.incrementAndGet());
  }

  private static Date notBefore() {
    return Date.from(Instant.now().minus(Duration.ofHours(1)));
  }

  private static Date notAfter() {
    return Date.from(Instant.now().plus(Duration.ofDays(1)));
  }
}
