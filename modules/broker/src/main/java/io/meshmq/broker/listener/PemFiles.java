package io.meshmq.broker.listener;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystem;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.ServerSSLOptions;
import java.util.concurrent.TimeUnit;

/**
 * The content of a TLS listener's certificate, key and CA files at one moment. The listener is configured with
 * the content rather than the paths, so what is served is exactly what was compared when looking for a change.
 */
record PemFiles(Buffer cert, Buffer key, Buffer ca) {

  /** Reads the files without blocking the event loop. */
  static Future<PemFiles> read(FileSystem fs, TlsSettings tls) {
    Future<Buffer> cert = fs.readFile(tls.certFile());
    Future<Buffer> key = fs.readFile(tls.keyFile());
    Future<Buffer> ca = tls.hasCa() ? fs.readFile(tls.caFile()) : Future.succeededFuture(null);
    return Future.all(cert, key, ca).map(v -> new PemFiles(cert.result(), key.result(), ca.result()));
  }

  /** Makes {@code options} serve this content (with {@link #sslOptions}'s settings). */
  void applyTo(NetServerOptions options, TlsSettings tls, int handshakeTimeoutSeconds) {
    ServerSSLOptions ssl = sslOptions(tls, handshakeTimeoutSeconds);
    options.setSsl(true)
        .setKeyCertOptions(ssl.getKeyCertOptions())
        .setTrustOptions(ssl.getTrustOptions())
        .setClientAuth(ssl.getClientAuth())
        .setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols())
        .setSslHandshakeTimeout(ssl.getSslHandshakeTimeout())
        .setSslHandshakeTimeoutUnit(ssl.getSslHandshakeTimeoutUnit());
  }

  ServerSSLOptions sslOptions(TlsSettings tls, int handshakeTimeoutSeconds) {
    ServerSSLOptions o = new ServerSSLOptions()
        .setKeyCertOptions(new PemKeyCertOptions().addCertValue(cert).addKeyValue(key))
        .setEnabledSecureTransportProtocols(tls.protocols())
        .setClientAuth(ClientAuth.valueOf(tls.clientAuth().name()))
        .setSslHandshakeTimeout(handshakeTimeoutSeconds)
        .setSslHandshakeTimeoutUnit(TimeUnit.SECONDS);
    if (ca != null) {
      o.setTrustOptions(new PemTrustOptions().addCertValue(ca));
    }
    return o;
  }
}
