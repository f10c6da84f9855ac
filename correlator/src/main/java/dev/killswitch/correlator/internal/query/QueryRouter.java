package dev.killswitch.correlator.internal.query;

import dev.killswitch.correlator.CorrelatorException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLContext;

/**
 * Interactive-query routing: which instance holds a key, and forwarding a GET there. A forwarded request carries
 * {@value #FORWARDED}, and an instance never forwards such a request again (it answers 503 while the assignment
 * moves), so two instances that disagree during a rebalance cannot bounce a request between them. When the
 * instances serve HTTPS, the owner is asked over HTTPS with the TLS context given (the peers' CA and, under mutual
 * TLS, this instance's certificate).
 */
public final class QueryRouter {

  public static final String FORWARDED = "X-Killswitch-Forwarded";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** Who holds a key of a store. */
  public interface Owners {
    /**
     * @return the base URI ({@code http://host:port} or {@code https://}) of the instance holding the key, or empty
     *     when it is this one
     * @throws CorrelatorException (stores unavailable) while the metadata is not known, e.g. during a rebalance
     */
    Optional<URI> remoteOwner(String store, String key);
  }

  /** What the other instance answered. */
  public record Response(int status, String contentType, byte[] body) {}

  private final Owners owners;
  private final HttpClient http;

  /** Forwarding over plain HTTP, or over HTTPS with the JDK's default trust. */
  public QueryRouter(Owners owners) {
    this(owners, null);
  }

  /**
   * @param tls the TLS context for HTTPS owners (whom to trust, what to present), or null for the JDK's default
   */
  public QueryRouter(Owners owners, SSLContext tls) {
    this.owners = owners;
    HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
        .followRedirects(HttpClient.Redirect.NEVER);
    if (tls != null) {
      http.sslContext(tls);
    }
    this.http = http.build();
  }

  public Optional<URI> remoteOwner(String store, String key) {
    return owners.remoteOwner(store, key);
  }

  /** GETs {@code pathAndQuery} (already encoded) from {@code owner}, passing the caller's Authorization header on. */
  public Response get(URI owner, String pathAndQuery, String authorization) {
    HttpRequest.Builder request = HttpRequest.newBuilder(owner.resolve(pathAndQuery))
        .timeout(TIMEOUT)
        .header(FORWARDED, "1")
        .GET();
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      HttpResponse<byte[]> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Response(answer.statusCode(),
          answer.headers().firstValue("Content-Type").orElse("application/json"), answer.body());
    } catch (IOException e) {
      throw CorrelatorException.ownerUnreachable(owner.toString(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw CorrelatorException.ownerUnreachable(owner.toString(), e);
    }
  }
}
