package dev.killswitch.cli.web;

import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The routes the cli module itself adds to the one server: the chain explorer page ({@code GET /} and its
 * {@code /assets/...}, static files from {@code web/} on the class path, public: the page holds no data, every API
 * call it makes carries the user's token), {@code GET /v1/whoami} (which roles a token holds, so that the page shows
 * the revoke button only to revokers) and {@code GET /v1/openapi.json}.
 */
public final class WebRoutes {

  private static final Pattern ASSET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,100}");
  private static final Map<String, String> TYPES = Map.of(
      "html", "text/html; charset=utf-8", "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8",
      "svg", "image/svg+xml", "png", "image/png", "json", "application/json", "txt", "text/plain; charset=utf-8");
  /** The page loads only its own files and talks only to its own origin. */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final ApiAccess access;

  public WebRoutes(ApiAccess access) {
    this.access = access;
  }

  public void addRoutes(RoutesConfig routes) {
    routes.get("/", ctx -> serve(ctx, "index.html"));
    routes.get("/assets/{file}", ctx -> serve(ctx, "assets/" + ctx.pathParam("file")));
    routes.get("/v1/whoami", this::whoami);
    routes.get("/v1/openapi.json", ctx -> serve(ctx, "openapi.json", "/openapi/"));
  }

  private void whoami(Context ctx) {
    String authorization = ctx.header("Authorization");
    List<String> roles = new ArrayList<>();
    for (Role r : Role.values()) {
      if (access.allows(authorization, r)) {
        roles.add(r.name().toLowerCase(Locale.ROOT));
      }
    }
    if (roles.isEmpty()) {
      ctx.header("WWW-Authenticate", "Bearer");
      ctx.status(401).json(Map.of("error", "unauthorized", "message", "a known bearer token is required"));
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("roles", roles);
    body.put("fingerprint", ApiAccess.fingerprint(authorization.substring(7).trim()));
    ctx.json(body);
  }

  private static void serve(Context ctx, String name) {
    serve(ctx, name, "/web/");
  }

  private static void serve(Context ctx, String name, String root) {
    String file = name.substring(name.lastIndexOf('/') + 1);
    if (!ASSET.matcher(file).matches()) {
      notFound(ctx);
      return;
    }
    try (InputStream in = WebRoutes.class.getResourceAsStream(root + name)) {
      if (in == null) {
        notFound(ctx);
        return;
      }
      String ext = file.substring(file.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
      ctx.contentType(TYPES.getOrDefault(ext, "application/octet-stream"))
          .header("Cache-Control", "no-cache")
          .header("X-Content-Type-Options", "nosniff");
      if (ext.equals("html")) {
        ctx.header("Content-Security-Policy", CSP).header("Referrer-Policy", "no-referrer");
      }
      ctx.result(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void notFound(Context ctx) {
    ctx.status(404).json(Map.of("error", "not-found", "message", "no such file"));
  }
}
