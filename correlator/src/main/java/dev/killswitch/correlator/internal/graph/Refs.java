package dev.killswitch.correlator.internal.graph;

import dev.killswitch.correlator.CorrelatorException;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/** Reading identity references and fields out of normalized events, for the fact extractors. */
final class Refs {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private Refs() {}

  /** A field that must hold a well-formed reference, else the event is dead-lettered. */
  static IdentityRef ref(String text, String field) {
    return build(() -> IdentityRef.parse(text), field);
  }

  static IdentityRef build(Supplier<IdentityRef> factory, String field) {
    try {
      return factory.get();
    } catch (InvalidIdentityRefException e) {
      throw CorrelatorException.invalidRef(field, e);
    }
  }

  /** A reference from a value the event does not promise to be one (user.extra, tags): null when it is not. */
  static IdentityRef lenient(Supplier<IdentityRef> factory) {
    try {
      return factory.get();
    } catch (InvalidIdentityRefException | NullPointerException e) {
      return null;
    }
  }

  static String required(String value, String type, String field) {
    if (value == null || value.isBlank()) {
      throw CorrelatorException.missingField(type, field);
    }
    return value;
  }

  static String requiredRef(String value, String type, String field) {
    return ref(required(value, type, field), field).toString();
  }

  /** The address when it is an IP address; AWS writes service names ({@code s3.amazonaws.com}) there too. */
  static List<String> ips(String address) {
    return isIp(address) ? List.of(address) : List.of();
  }

  static boolean isIp(String address) {
    return address != null && (IPV4.matcher(address).matches() || (address.contains(":") && address.matches(
        "[0-9A-Fa-f:.]+")));
  }

  static String firstNonNull(String... values) {
    for (String v : values) {
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }
}
