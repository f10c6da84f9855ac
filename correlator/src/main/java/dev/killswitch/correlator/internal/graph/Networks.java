package dev.killswitch.correlator.internal.graph;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Source-network comparisons for the outside-boundary trigger. Only literal addresses are parsed (no lookups). */
public final class Networks {

  private Networks() {}

  /** True when both addresses are of one family and share the first {@code prefixV4} / {@code prefixV6} bits. */
  public static boolean sameNetwork(String a, String b, int prefixV4, int prefixV6) {
    byte[] x = parse(a);
    byte[] y = parse(b);
    if (x == null || y == null || x.length != y.length) {
      return false;
    }
    return samePrefix(x, y, x.length == 4 ? prefixV4 : prefixV6);
  }

  /** True when the address is within one of the CIDRs ({@code 10.0.0.0/8}, {@code fd00::/8}). */
  public static boolean within(String address, List<String> cidrs) {
    byte[] x = parse(address);
    if (x == null) {
      return false;
    }
    for (String cidr : cidrs) {
      int slash = cidr.indexOf('/');
      byte[] net = parse(slash < 0 ? cidr : cidr.substring(0, slash));
      if (net == null || net.length != x.length) {
        continue;
      }
      int bits = slash < 0 ? x.length * 8 : Integer.parseInt(cidr.substring(slash + 1).trim());
      if (samePrefix(x, net, bits)) {
        return true;
      }
    }
    return false;
  }

  /** True for a literal IPv4 or IPv6 address. */
  public static boolean isAddress(String text) {
    return parse(text) != null;
  }

  private static boolean samePrefix(byte[] x, byte[] y, int bits) {
    int n = Math.min(bits, x.length * 8);
    BigInteger a = new BigInteger(1, x).shiftRight(x.length * 8 - n);
    BigInteger b = new BigInteger(1, y).shiftRight(y.length * 8 - n);
    return a.equals(b);
  }

  private static byte[] parse(String text) {
    // Only literals: an IPv4 dotted quad, or text with a colon (never a host name, so never a DNS lookup).
    if (text == null || !(text.matches("\\d{1,3}(\\.\\d{1,3}){3}")
        || (text.contains(":") && text.matches("[0-9A-Fa-f:.]+")))) {
      return null;
    }
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException | SecurityException e) {
      return null;
    }
  }
}
