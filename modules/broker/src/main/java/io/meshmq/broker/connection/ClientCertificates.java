package io.meshmq.broker.connection;

import io.vertx.mqtt.MqttEndpoint;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/** The certificate a client presented in the TLS handshake, which verified it against listeners.tls.ca-file. */
final class ClientCertificates {

  private ClientCertificates() {
  }

  /** The client's own certificate (first of its chain); null without TLS or when it presented none. */
  static X509Certificate of(MqttEndpoint endpoint) {
    SSLSession session = endpoint.isSsl() ? endpoint.sslSession() : null;
    if (session == null) {
      return null;
    }
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }
}
