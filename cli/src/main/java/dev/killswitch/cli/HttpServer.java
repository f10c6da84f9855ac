package dev.killswitch.cli;

import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import dev.killswitch.schemas.Json;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The one HTTP server of a Killswitch process: health, readiness and metrics, plus the routes of every role
 * the process runs (all paths of DESIGN.md's HTTP table live on it).
 */
public final class HttpServer implements AutoCloseable {

  /** A named readiness check; /readyz is 200 only when all pass. */
  public record Check(String name, BooleanSupplier ready) {}

  /** Large enough for the biggest ingest request; ingest itself enforces its own, configurable limit. */
  static final long MAX_REQUEST_BYTES = 64L * 1024 * 1024;

  private final Javalin app;

  private HttpServer(Javalin app) {
    this.app = app;
  }

  public static HttpServer start(String host, int port, PrometheusMeterRegistry metrics, List<Check> checks,
                                 List<Consumer<RoutesConfig>> routeSets) {
    return start(host, port, metrics, checks, routeSets, null);
  }

  /** The same, speaking HTTPS (mutual TLS when {@code tls} has a client CA) when {@code tls} is not null. */
  public static HttpServer start(String host, int port, PrometheusMeterRegistry metrics, List<Check> checks,
                                 List<Consumer<RoutesConfig>> routeSets, HttpTls tls) {
    Javalin app = Javalin.create(cfg -> {
      if (tls != null) {
        // With a connector of its own, Javalin adds no plain HTTP connector.
        cfg.jetty.addConnector((server, httpConfig) -> tls.connector(server, httpConfig, host, port));
      }
      cfg.startup.showJavalinBanner = false;
      cfg.startup.showOldJavalinVersionWarning = false;
      cfg.http.maxRequestSize = MAX_REQUEST_BYTES;
      cfg.jsonMapper(new JavalinJackson(Json.mapper(), false));
      cfg.routes.get("/healthz", ctx -> ctx.json(Map.of("status", "ok")));
      cfg.routes.get("/readyz", ctx -> {
        Map<String, Boolean> status = new java.util.LinkedHashMap<>();
        boolean all = true;
        for (Check c : checks) {
          boolean ok;
          try {
            ok = c.ready().getAsBoolean();
          } catch (RuntimeException e) {
            ok = false;
          }
          status.put(c.name(), ok);
          all &= ok;
        }
        ctx.status(all ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
            .json(Map.of("ready", all, "checks", status));
      });
      cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8")
          .result(metrics.scrape()));
      for (Consumer<RoutesConfig> routes : routeSets) {
        routes.accept(cfg.routes);
      }
    });
    app.start(host, port);
    return new HttpServer(app);
  }

  /**
   * Every route registered, as {@code "GET /v1/chains/{chainId}"}: Javalin's {@code <param>} (a parameter that may
   * hold slashes) is written {@code {param}}, as OpenAPI writes it. What the OpenAPI document is checked against.
   */
  public java.util.SortedSet<String> routes() {
    java.util.SortedSet<String> out = new java.util.TreeSet<>();
    for (var parsed : app.unsafe.internalRouter.allHttpHandlers()) {
      out.add(parsed.endpoint.method.name() + " " + parsed.endpoint.path.replace('<', '{').replace('>', '}'));
    }
    return out;
  }

  /** The port actually bound (useful with port 0). */
  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
