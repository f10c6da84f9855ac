package dev.killswitch.correlator.internal.graph;

/** Identity-reference patterns: {@code *} stands for any run of characters, everything else for itself. */
public final class Glob {

  private Glob() {}

  public static boolean matches(String pattern, String text) {
    return matches(pattern, 0, text, 0);
  }

  private static boolean matches(String p, int pi, String t, int ti) {
    while (pi < p.length()) {
      char c = p.charAt(pi);
      if (c == '*') {
        for (int k = ti; k <= t.length(); k++) {
          if (matches(p, pi + 1, t, k)) {
            return true;
          }
        }
        return false;
      }
      if (ti >= t.length() || t.charAt(ti) != c) {
        return false;
      }
      pi++;
      ti++;
    }
    return ti == t.length();
  }
}
