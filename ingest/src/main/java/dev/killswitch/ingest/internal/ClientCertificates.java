package dev.killswitch.ingest.internal;

import io.javalin.http.Context;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The names of the TLS client certificate a request came with: its subject CN and its DNS, URI and email subject
 * alternative names. The server's TLS layer has already verified the chain against the client CA
 * ({@code KILLSWITCH_HTTP_CLIENT_CA}); this only reads who it names.
 */
final class ClientCertificates {

  /** The request attribute the servlet container puts the verified client chain in. */
  static final String ATTRIBUTE = "jakarta.servlet.request.X509Certificate";
  private static final Set<Integer> NAME_TYPES = Set.of(1, 2, 6); // rfc822Name, dNSName, uniformResourceIdentifier

  private ClientCertificates() {}

  /** True when the request's client certificate names one of {@code allowed}. */
  static boolean admitted(Context ctx, Set<String> allowed) {
    if (allowed.isEmpty() || !(ctx.req().getAttribute(ATTRIBUTE) instanceof X509Certificate[] chain)
        || chain.length == 0) {
      return false;
    }
    return names(chain[0]).stream().anyMatch(allowed::contains);
  }

  static List<String> names(X509Certificate cert) {
    List<String> names = new java.util.ArrayList<>();
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          names.add(String.valueOf(rdn.getValue()));
        }
      }
    } catch (InvalidNameException e) {
      // a subject the JDK printed cannot be unparsable; no CN then
    }
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (NAME_TYPES.contains((Integer) san.get(0))) {
            names.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (CertificateParsingException e) {
      // no usable SANs: the CN alone decides
    }
    return names;
  }
}
