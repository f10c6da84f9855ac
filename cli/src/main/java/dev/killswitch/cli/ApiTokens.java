package dev.killswitch.cli;

import dev.killswitch.schemas.Role;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Role-scoped API tokens beyond the five every deployment has, from the YAML settings file: a SOC playbook gets a
 * token that may only revoke, a dashboard one that may only read.
 *
 * <pre>
 * tokens:
 *   - name: soar                       # shown by config check and in logs, never the token
 *     roles: [revoker, analyst]        # any of ingest, analyst, revoker, approver, authz
 *     file: /etc/killswitch/soar-token # the token is the file's content (keep it mode 0600)
 *   - name: grafana
 *     roles: [analyst]
 *     token: ...                       # inline; prefer file
 *   - name: eventbridge-prod
 *     roles: [ingest]
 *     sources: [aws-cloudtrail]        # the ingest role only on these sources (default: every source)
 *     file: /etc/killswitch/eventbridge-token
 * </pre>
 */
final class ApiTokens {

  /** One configured token. */
  record Token(String name, Set<Role> roles, Set<String> sources, String value, String source) {
    @Override
    public String toString() {
      return "Token[" + name + " " + roles + (sources.isEmpty() ? "" : " sources=" + sources) + " from " + source + "]";
    }
  }

  private ApiTokens() {}

  /** Every token of the settings' YAML, or every problem with them. */
  static List<Token> of(Settings settings) {
    List<String> problems = new ArrayList<>();
    List<Token> tokens = read(settings.yaml(), problems);
    if (!problems.isEmpty()) {
      throw new Settings.InvalidSettingsException(problems);
    }
    return tokens;
  }

  static List<Token> read(Map<String, Object> yaml, List<String> problems) {
    Object list = yaml == null ? null : yaml.get("tokens");
    if (list == null) {
      return List.of();
    }
    if (!(list instanceof List<?> entries)) {
      problems.add("tokens must be a list of {name, roles, file | token}");
      return List.of();
    }
    List<Token> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) {
      String where = "tokens[" + i + "]";
      if (!(entries.get(i) instanceof Map<?, ?> m)) {
        problems.add(where + " must be a mapping {name, roles, file | token}");
        continue;
      }
      String name = m.get("name") == null ? where : String.valueOf(m.get("name"));
      where = "tokens[" + i + "] (" + name + ")";
      Set<Role> roles = EnumSet.noneOf(Role.class);
      if (!(m.get("roles") instanceof List<?> rs) || rs.isEmpty()) {
        problems.add(where + ": roles must list at least one of ingest, analyst, revoker, approver, authz");
      } else {
        for (Object r : rs) {
          try {
            roles.add(Role.valueOf(String.valueOf(r).strip().toUpperCase(Locale.ROOT)));
          } catch (IllegalArgumentException e) {
            problems.add(where + ": unknown role '" + r + "' (ingest, analyst, revoker, approver, authz)");
          }
        }
      }
      Set<String> sources = sources(m.get("sources"), roles, where, problems);
      String value = null;
      String source = null;
      if (m.get("file") != null) {
        Path file = Path.of(String.valueOf(m.get("file")));
        source = file.toString();
        try {
          value = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          problems.add(where + ": cannot read " + file + " (" + e.getMessage() + ")");
        }
      } else if (m.get("token") != null) {
        value = String.valueOf(m.get("token")).strip();
        source = "the config file";
      } else {
        problems.add(where + ": needs file (a file holding the token) or token");
      }
      if (value != null && value.length() < 16) {
        problems.add(where + ": the token must be at least 16 characters (got " + value.length() + ")");
      }
      if (value != null && value.length() >= 16 && !roles.isEmpty()) {
        out.add(new Token(name, roles, sources, value, source));
      }
    }
    return out;
  }

  /** The ingest sources an ingest token is limited to; empty: every source. */
  private static Set<String> sources(Object value, Set<Role> roles, String where, List<String> problems) {
    if (value == null) {
      return Set.of();
    }
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      problems.add(where + ": sources must list at least one of " + IngestAuth.SOURCES);
      return Set.of();
    }
    if (!roles.contains(Role.INGEST)) {
      problems.add(where + ": sources limit the ingest role, which the token does not hold");
    }
    Set<String> out = new java.util.LinkedHashSet<>();
    for (Object s : list) {
      String name = String.valueOf(s).strip().toLowerCase(Locale.ROOT);
      if (!IngestAuth.SOURCES.contains(name)) {
        problems.add(where + ": unknown source '" + s + "' (" + String.join(", ", IngestAuth.SOURCES) + ")");
      }
      out.add(name);
    }
    return out;
  }
}
