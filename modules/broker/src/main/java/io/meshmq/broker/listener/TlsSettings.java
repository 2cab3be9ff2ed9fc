package io.meshmq.broker.listener;

import static io.meshmq.broker.config.BrokerSettings.TLS_CA_FILE;
import static io.meshmq.broker.config.BrokerSettings.TLS_CERT_AS_USERNAME;
import static io.meshmq.broker.config.BrokerSettings.TLS_CERT_FILE;
import static io.meshmq.broker.config.BrokerSettings.TLS_CLIENT_AUTH;
import static io.meshmq.broker.config.BrokerSettings.TLS_KEY_FILE;
import static io.meshmq.broker.config.BrokerSettings.TLS_PROTOCOLS;
import static io.meshmq.broker.config.BrokerSettings.TLS_RELOAD_SECONDS;

import io.meshmq.broker.config.BrokerSettings.CertificateUsername;
import io.meshmq.broker.config.BrokerSettings.ClientAuthMode;
import io.meshmq.broker.config.InvalidSettingException;
import io.meshmq.broker.config.Settings;
import java.util.LinkedHashSet;
import java.util.Set;

/** The certificate settings the tls and wss listeners share, checked for consistency at start. */
public record TlsSettings(String certFile, String keyFile, String caFile, ClientAuthMode clientAuth,
                          CertificateUsername certAsUsername, Set<String> protocols, int reloadSeconds) {

  /** Older versions have known weaknesses; a configuration asking for them is refused rather than honoured. */
  private static final Set<String> ALLOWED_PROTOCOLS = Set.of("TLSv1.2", "TLSv1.3");

  /**
   * @param listenerKey the enabled-setting of the listener that needs TLS, named in the error messages
   * @throws InvalidSettingException when the files or options are missing or contradictory
   */
  public static TlsSettings from(Settings settings, String listenerKey) {
    String cert = settings.get(TLS_CERT_FILE).trim();
    String key = settings.get(TLS_KEY_FILE).trim();
    String ca = settings.get(TLS_CA_FILE).trim();
    if (cert.isEmpty() || key.isEmpty()) {
      throw new InvalidSettingException(cert.isEmpty() ? TLS_CERT_FILE.key() : TLS_KEY_FILE.key(),
          "must name a PEM file when " + listenerKey + " is true");
    }
    ClientAuthMode clientAuth = settings.get(TLS_CLIENT_AUTH);
    if (clientAuth != ClientAuthMode.NONE && ca.isEmpty()) {
      throw new InvalidSettingException(TLS_CA_FILE.key(), "must name the PEM file of the CAs that sign client "
          + "certificates when " + TLS_CLIENT_AUTH.key() + " is " + TLS_CLIENT_AUTH.format(clientAuth));
    }
    CertificateUsername certAsUsername = settings.get(TLS_CERT_AS_USERNAME);
    if (certAsUsername != CertificateUsername.NONE && clientAuth == ClientAuthMode.NONE) {
      throw new InvalidSettingException(TLS_CERT_AS_USERNAME.key(), "needs " + TLS_CLIENT_AUTH.key()
          + " request or required: without client certificates there is no name to take");
    }
    return new TlsSettings(cert, key, ca, clientAuth, certAsUsername, protocols(settings), settings.get(TLS_RELOAD_SECONDS));
  }

  private static Set<String> protocols(Settings settings) {
    Set<String> protocols = new LinkedHashSet<>();
    for (String p : settings.get(TLS_PROTOCOLS).split(",")) {
      String protocol = p.trim();
      if (protocol.isEmpty()) {
        continue;
      }
      if (!ALLOWED_PROTOCOLS.contains(protocol)) {
        throw new InvalidSettingException(TLS_PROTOCOLS.key(), "'" + protocol + "' is not allowed; use TLSv1.2 and/or TLSv1.3");
      }
      protocols.add(protocol);
    }
    if (protocols.isEmpty()) {
      throw new InvalidSettingException(TLS_PROTOCOLS.key(), "names no TLS version");
    }
    return Set.copyOf(protocols);
  }

  public boolean hasCa() {
    return !caFile.isEmpty();
  }
}
