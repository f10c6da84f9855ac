package dev.killswitch.correlator.internal.query;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.correlator.CorrelatorException;
import dev.killswitch.correlator.internal.streams.TopologyNames;
import dev.killswitch.schemas.ApiAccess;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.Role;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The analyst query API (DESIGN.md "HTTP interface"), answered from the state stores by interactive queries:
 * <ul>
 *   <li>{@code GET /v1/chains?node=<ref>}: {@code {"chains":[...]}}, every chain that contains the node;</li>
 *   <li>{@code GET /v1/chains/{chainId}}: one chain, 404 when unknown;</li>
 *   <li>{@code GET /v1/identities/<ref>}: one node, 404 when nothing is known about it.</li>
 * </ul>
 * Every path needs a bearer token with the analyst role (401 without a known token, 403 without the role). When the
 * key lives on another instance the request is forwarded there.
 */
public final class QueryRoutes {

  private static final Logger LOG = LoggerFactory.getLogger(QueryRoutes.class);
  private static final Pattern CHAIN_ID = Pattern.compile("[0-9a-f]{32}");
  private static final String JSON = "application/json";

  private final ApiAccess access;
  private final Answers answers;
  private final QueryRouter router;

  public QueryRoutes(ApiAccess access, Answers answers, QueryRouter router) {
    this.access = access;
    this.answers = answers;
    this.router = router;
  }

  public void register(RoutesConfig routes) {
    routes.get("/v1/chains", guarded(this::chainsOfNode));
    routes.get("/v1/chains/{chainId}", guarded(this::chain));
    routes.get("/v1/identities/<ref>", guarded(this::identity));
  }

  private void chainsOfNode(Context ctx) throws IOException {
    String text = ctx.queryParam("node");
    if (text == null || text.isBlank()) {
      error(ctx, 400, "missing-node", "query parameter 'node' (an identity reference) is required");
      return;
    }
    IdentityRef node = IdentityRef.parse(text);
    if (forwardedTo(ctx, TopologyNames.NODE_CHAINS_STORE, node.toString())) {
      return;
    }
    List<Object> chains = new ArrayList<>();
    for (Views.ChainRef ref : answers.chainsOf(node)) {
      chainAnywhere(ctx, ref.chainId()).ifPresent(chains::add);
    }
    json(ctx, 200, new Views.ChainList(chains));
  }

  private void chain(Context ctx) throws IOException {
    String chainId = ctx.pathParam("chainId");
    if (!CHAIN_ID.matcher(chainId).matches()) {
      error(ctx, 404, "unknown-chain", "no chain " + chainId);
      return;
    }
    if (forwardedTo(ctx, TopologyNames.CHAINS_STORE, chainId)) {
      return;
    }
    Optional<Views.ChainView> view = answers.chain(chainId);
    if (view.isPresent()) {
      json(ctx, 200, view.get());
    } else {
      error(ctx, 404, "unknown-chain", "no chain " + chainId);
    }
  }

  private void identity(Context ctx) throws IOException {
    IdentityRef ref = IdentityRef.parse(ctx.pathParam("ref"));
    if (forwardedTo(ctx, TopologyNames.NODE_CHAINS_STORE, ref.toString())) {
      return;
    }
    Optional<Views.IdentityView> view = answers.identity(ref);
    if (view.isPresent()) {
      json(ctx, 200, view.get());
    } else {
      error(ctx, 404, "unknown-identity", "nothing is known about " + ref);
    }
  }

  /** One chain from whichever instance holds it; empty when it is gone (expired since the index was read). */
  private Optional<Object> chainAnywhere(Context ctx, String chainId) throws IOException {
    Optional<URI> owner = router.remoteOwner(TopologyNames.CHAINS_STORE, chainId);
    if (owner.isEmpty()) {
      return answers.chain(chainId).map(v -> v);
    }
    QueryRouter.Response r = router.get(owner.get(), "/v1/chains/" + URLEncoder.encode(chainId, StandardCharsets.UTF_8),
        ctx.header("Authorization"));
    if (r.status() == 404) {
      return Optional.empty();
    }
    if (r.status() != 200) {
      throw CorrelatorException.ownerUnreachable(owner.get().toString(),
          new IOException("answered " + r.status() + ": " + new String(r.body(), StandardCharsets.UTF_8)));
    }
    return Optional.of(Json.mapper().readValue(r.body(), JsonNode.class));
  }

  /** Forwards the request when another instance holds the key; true when the answer has been given. */
  private boolean forwardedTo(Context ctx, String store, String key) {
    Optional<URI> owner = router.remoteOwner(store, key);
    if (owner.isEmpty()) {
      return false;
    }
    if (ctx.header(QueryRouter.FORWARDED) != null) {
      throw CorrelatorException.storesUnavailable("the key moved while the request was forwarded");
    }
    String query = ctx.queryString();
    QueryRouter.Response r = router.get(owner.get(), ctx.path() + (query == null ? "" : "?" + query),
        ctx.header("Authorization"));
    ctx.status(r.status()).contentType(r.contentType()).result(r.body());
    return true;
  }

  private Handler guarded(Handler handler) {
    return ctx -> {
      String authorization = ctx.header("Authorization");
      if (!access.allows(authorization, Role.ANALYST)) {
        if (isKnown(authorization)) {
          error(ctx, 403, "forbidden", "the token does not hold the analyst role");
        } else {
          ctx.header("WWW-Authenticate", "Bearer");
          error(ctx, 401, "unauthorized", "a bearer token with the analyst role is required");
        }
        return;
      }
      try {
        handler.handle(ctx);
      } catch (InvalidIdentityRefException e) {
        error(ctx, 400, "invalid-identity-ref", e.getMessage());
      } catch (CorrelatorException e) {
        ctx.header("Retry-After", "1");
        error(ctx, 503, e.reason().code(), e.getMessage());
      } catch (InvalidStateStoreException e) {
        // A rebalance (an instance joining or leaving, internal topics created on first start) moves the stores
        // for a moment: the caller retries rather than reading a half-restored answer.
        ctx.header("Retry-After", "1");
        error(ctx, 503, "rebalancing", "the correlator's stores are moving between instances; retry shortly");
      } catch (RuntimeException | IOException e) {
        LOG.error("query {} failed", ctx.path(), e);
        error(ctx, 500, "internal", "the query failed; see the correlator log");
      }
    };
  }

  private boolean isKnown(String authorization) {
    if (!ApiAccess.presented(authorization)) {
      return false;
    }
    for (Role role : Role.values()) {
      if (access.allows(authorization, role)) {
        return true;
      }
    }
    return false;
  }

  private static void error(Context ctx, int status, String code, String message) throws IOException {
    json(ctx, status, new Views.Error(code, message));
  }

  private static void json(Context ctx, int status, Object body) throws IOException {
    ctx.status(status).contentType(JSON).result(Json.mapper().writeValueAsBytes(body));
  }
}
