package io.meshmq.broker.auth;

import io.meshmq.broker.config.BrokerSettings.CertificateUsername;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/** The name a client certificate gives its holder, per {@code listeners.tls.cert-as-username}. */
public final class CertificateNames {

  /** General name types of a subject alternative name that name a client: rfc822Name, dNSName, URI. */
  private static final List<Integer> CLIENT_NAME_TYPES = List.of(1, 2, 6);

  private CertificateNames() {
  }

  /** The CN or the first e-mail, DNS or URI subject alternative name (in certificate order); null when it has none. */
  public static String of(X509Certificate certificate, CertificateUsername which) {
    return switch (which) {
      case NONE -> null;
      case CN -> commonName(certificate);
      case SAN -> firstAlternativeName(certificate);
    };
  }

  private static String commonName(X509Certificate certificate) {
    try {
      // LdapName lists the RDNs from the root down, so the most specific CN is the last one.
      List<Rdn> rdns = new LdapName(certificate.getSubjectX500Principal().getName()).getRdns();
      for (int i = rdns.size() - 1; i >= 0; i--) {
        if ("CN".equalsIgnoreCase(rdns.get(i).getType())) {
          String cn = rdns.get(i).getValue().toString();
          return cn.isEmpty() ? null : cn;
        }
      }
      return null;
    } catch (InvalidNameException e) {
      return null;
    }
  }

  private static String firstAlternativeName(X509Certificate certificate) {
    try {
      Collection<List<?>> names = certificate.getSubjectAlternativeNames();
      if (names == null) {
        return null;
      }
      for (List<?> name : names) {
        if (CLIENT_NAME_TYPES.contains((Integer) name.get(0)) && name.get(1) instanceof String s && !s.isEmpty()) {
          return s;
        }
      }
      return null;
    } catch (CertificateParsingException e) {
      return null;
    }
  }
}
