package dev.killswitch.correlator;

import static dev.killswitch.correlator.Events.T0;
import static dev.killswitch.correlator.Events.ciJob;
import static dev.killswitch.correlator.Events.token;
import static dev.killswitch.correlator.Events.tokenRequest;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.correlator.internal.query.Answers;
import dev.killswitch.correlator.internal.query.QueryRouter;
import dev.killswitch.correlator.internal.query.QueryRoutes;
import dev.killswitch.schemas.DeterministicIds;
import dev.killswitch.schemas.Json;
import dev.killswitch.schemas.event.ChainSnapshot;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The query API over the stores of a TopologyTestDriver; a second server shows forwarding to the owner. */
class QueryRoutesTest {

  private static final String RUN = Events.run("9001");
  private static final String CHAIN = DeterministicIds.chainId(RUN);
  private static final String TOKEN = token("jti-1");

  private final HttpClient http = HttpClient.newHttpClient();
  private Harness harness;
  private Javalin owner;
  private Javalin front;

  @BeforeEach
  void start() {
    harness = new Harness();
    harness.send(ciJob("d-1", "9001", "71", "queued", null, T0));
    harness.send(tokenRequest("a-1", "9001", "jti-1", "ci", "deployer", T0.plusSeconds(10)));
    QueryRoutes local = new QueryRoutes(Harness.ACCESS, new Answers(harness.stores()),
        new QueryRouter((store, key) -> Optional.empty()));
    owner = Javalin.create(cfg -> local.register(cfg.routes)).start("127.0.0.1", 0);
    URI ownerUri = URI.create("http://127.0.0.1:" + owner.port());
    // An instance that holds none of the keys: it must forward every query to the owner.
    QueryRoutes remote = new QueryRoutes(Harness.ACCESS, new Answers(harness.stores()),
        new QueryRouter((store, key) -> Optional.of(ownerUri)));
    front = Javalin.create(cfg -> remote.register(cfg.routes)).start("127.0.0.1", 0);
  }

  @AfterEach
  void stop() {
    front.stop();
    owner.stop();
    harness.close();
  }

  @Test
  void listsTheChainsThatContainANode() throws Exception {
    HttpResponse<String> r = get(owner, "/v1/chains?node=" + enc(TOKEN), Harness.ANALYST_TOKEN);

    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode chains = Json.mapper().readTree(r.body()).get("chains");
    assertThat(chains).hasSize(1);
    ChainSnapshot chain = Json.mapper().treeToValue(chains.get(0), ChainSnapshot.class);
    assertThat(chain.chainId()).isEqualTo(CHAIN);
    assertThat(chain.nodes()).extracting(ChainSnapshot.Node::ref).contains(RUN, TOKEN);
    assertThat(chain.nodes()).filteredOn(n -> n.ref().equals(TOKEN)).extracting(ChainSnapshot.Node::revocation)
        .containsExactly("none");
  }

  @Test
  void aNodeInNoChainHasAnEmptyList() throws Exception {
    HttpResponse<String> r = get(owner, "/v1/chains?node=" + enc(token("unknown")), Harness.ANALYST_TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("{\"chains\":[]}");
  }

  @Test
  void aMalformedReferenceIsABadRequestThatSaysWhy() throws Exception {
    HttpResponse<String> r = get(owner, "/v1/chains?node=" + enc("k8s:prod:tokn/x"), Harness.ANALYST_TOKEN);
    assertThat(r.statusCode()).isEqualTo(400);
    JsonNode body = Json.mapper().readTree(r.body());
    assertThat(body.get("error").asText()).isEqualTo("invalid-identity-ref");
    assertThat(body.get("message").asText()).startsWith("invalid identity reference 'k8s:prod:tokn/x'");

    assertThat(get(owner, "/v1/chains", Harness.ANALYST_TOKEN).statusCode()).isEqualTo(400);
  }

  @Test
  void answersOneChainWithEdgesAndEvidence() throws Exception {
    HttpResponse<String> r = get(owner, "/v1/chains/" + CHAIN, Harness.ANALYST_TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(ct -> assertThat(ct).startsWith("application/json"));
    JsonNode chain = Json.mapper().readTree(r.body());
    assertThat(chain.get("status").asText()).isEqualTo("active");
    assertThat(chain.get("edges")).anySatisfy(e -> {
      assertThat(e.get("kind").asText()).isEqualTo("minted");
      assertThat(e.get("evidence").get(0).asText()).isEqualTo("a-1:ResponseComplete");
    });

    assertThat(get(owner, "/v1/chains/" + "0".repeat(32), Harness.ANALYST_TOKEN).statusCode()).isEqualTo(404);
    assertThat(get(owner, "/v1/chains/not-an-id", Harness.ANALYST_TOKEN).statusCode()).isEqualTo(404);
  }

  @Test
  void answersOneIdentityWithWhatMintedItAndWhatItReached() throws Exception {
    HttpResponse<String> r = get(owner, "/v1/identities/" + TOKEN, Harness.ANALYST_TOKEN);
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode node = Json.mapper().readTree(r.body());
    assertThat(node.get("kind").asText()).isEqualTo("k8s-token");
    assertThat(node.get("revocation").asText()).isEqualTo("none");
    assertThat(node.get("chains").get(0).get("chainId").asText()).isEqualTo(CHAIN);
    assertThat(node.get("inbound").get(0).get("kind").asText()).isEqualTo("minted");
    assertThat(node.get("outbound").get(0).get("kind").asText()).isEqualTo("credential-of");

    assertThat(get(owner, "/v1/identities/" + token("nobody"), Harness.ANALYST_TOKEN).statusCode()).isEqualTo(404);
    assertThat(get(owner, "/v1/identities/nonsense", Harness.ANALYST_TOKEN).statusCode()).isEqualTo(400);
  }

  @Test
  void needsABearerTokenWithTheAnalystRole() throws Exception {
    HttpResponse<String> none = get(owner, "/v1/chains/" + CHAIN, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(Json.mapper().readTree(none.body()).get("error").asText()).isEqualTo("unauthorized");
    assertThat(get(owner, "/v1/chains/" + CHAIN, "wrong-token").statusCode()).isEqualTo(401);
    HttpResponse<String> ingestOnly = get(owner, "/v1/identities/" + TOKEN, "ingest-token-for-tests");
    assertThat(ingestOnly.statusCode()).isEqualTo(403);
    assertThat(Json.mapper().readTree(ingestOnly.body()).get("error").asText()).isEqualTo("forbidden");
  }

  @Test
  void anInstanceWithoutTheKeyForwardsToTheOwner() throws Exception {
    HttpResponse<String> chains = get(front, "/v1/chains?node=" + enc(TOKEN), Harness.ANALYST_TOKEN);
    assertThat(chains.statusCode()).isEqualTo(200);
    assertThat(Json.mapper().readTree(chains.body()).get("chains").get(0).get("chainId").asText()).isEqualTo(CHAIN);

    HttpResponse<String> node = get(front, "/v1/identities/" + TOKEN, Harness.ANALYST_TOKEN);
    assertThat(node.statusCode()).isEqualTo(200);
    assertThat(Json.mapper().readTree(node.body()).get("ref").asText()).isEqualTo(TOKEN);

    assertThat(get(front, "/v1/chains/" + "0".repeat(32), Harness.ANALYST_TOKEN).statusCode()).isEqualTo(404);
    assertThat(get(front, "/v1/chains/" + CHAIN, null).statusCode()).as("checked before forwarding").isEqualTo(401);
  }

  @Test
  void aForwardedRequestIsNeverForwardedAgain() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + front.port() + "/v1/chains/" + CHAIN))
        .header("Authorization", "Bearer " + Harness.ANALYST_TOKEN).header(QueryRouter.FORWARDED, "1").build();
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("1");
  }

  private HttpResponse<String> get(Javalin server, String pathAndQuery, String token)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
