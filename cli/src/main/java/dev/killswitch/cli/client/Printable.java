package dev.killswitch.cli.client;

/**
 * Text from the pipeline made safe to print on a terminal. Chains, identities and revocations carry strings that
 * whoever called the cluster or the cloud chose (user agents, resource names, session names, reasons): printed as
 * they are, an escape sequence in one can rewrite the screen, retitle the window or hide lines, and a line break can
 * forge a row. Control characters (C0, DEL, C1) and the bidirectional overrides and isolates that reorder what is
 * shown are printed as {@code \\uXXXX}; everything else, non-ASCII letters included, is printed as it is.
 */
public final class Printable {

  private Printable() {}

  /** One value, for one line or one table cell: line breaks and tabs are escaped too. */
  public static String of(String s) {
    return escape(s, false);
  }

  /** A message of our own that may run over several lines and quote what it was given: breaks and tabs stay. */
  public static String lines(String s) {
    return escape(s, true);
  }

  private static String escape(String s, boolean keepLines) {
    if (s == null) {
      return null;
    }
    int i = 0;
    while (i < s.length() && !unsafe(s.charAt(i), keepLines)) {
      i++;
    }
    if (i == s.length()) {
      return s;
    }
    StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if (unsafe(c, keepLines)) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static boolean unsafe(char c, boolean keepLines) {
    if (keepLines && (c == '\n' || c == '\t')) {
      return false;
    }
    return Character.isISOControl(c)
        || (c >= '\u202a' && c <= '\u202e')     // LRE, RLE, PDF, LRO, RLO
        || (c >= '\u2066' && c <= '\u2069')     // LRI, RLI, FSI, PDI
        || c == '\u200e' || c == '\u200f' || c == '\u061c';   // LRM, RLM, ALM
  }
}
