package dev.killswitch.revoker.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationRequested.Cascade;
import dev.killswitch.schemas.event.RevocationRequested.Mode;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RevocationRequestsTest {

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
  final RevocationRequests requests = new RevocationRequests(Clock.fixed(NOW, ZoneOffset.UTC), Mode.ENFORCE);

  @Test
  void fillsDefaultsAndRecordsTheCallerWhenOnlyTargetAndReasonAreGiven() throws Exception {
    RevocationRequested r = requests.fromJson(
        "{\"target\":\"k8s:prod:token/abc\",\"reason\":\"leaked\"}".getBytes(UTF_8), "user:sha256:0123456789ab");

    assertThat(r.requestId()).isNotBlank();
    assertThat(r.cascade()).isEqualTo(Cascade.DOWNSTREAM);
    assertThat(r.mode()).isEqualTo(Mode.ENFORCE);
    assertThat(r.requestedBy()).isEqualTo("user:sha256:0123456789ab");
    assertThat(r.requestedAt()).isEqualTo(NOW);
    assertThat(r.override()).isFalse();
  }

  @Test
  void keepsEveryGivenField() throws Exception {
    RevocationRequested r = requests.fromJson("""
        {"target":"ci:github:acme/app/runs/1","reason":"incident 7","cascade":"none","mode":"dry-run",
         "expiresAt":"2026-03-02T00:00:00Z","requestId":"soc-7","override":true,"requestedBy":"playbook:contain-ci"}
        """.getBytes(UTF_8), "user:x");

    assertThat(r).isEqualTo(new RevocationRequested("soc-7", "ci:github:acme/app/runs/1", Cascade.NONE, "incident 7",
        "playbook:contain-ci", Mode.DRY_RUN, NOW, Instant.parse("2026-03-02T00:00:00Z"), true));
  }

  @Test
  void answersAnInvalidTargetWithTheIdentityReferenceParserMessage() {
    String expected = messageOf("k8s:prod/token/abc");

    assertThatThrownBy(() -> requests.fromJson(
        "{\"target\":\"k8s:prod/token/abc\",\"reason\":\"x\"}".getBytes(UTF_8), "user:x"))
        .isInstanceOf(RevocationRequests.BadRequest.class)
        .hasMessage(expected);
  }

  @Test
  void reportsEveryProblemTogether() {
    assertThatThrownBy(() -> requests.fromJson("""
        {"target":"k8s:prod:token/abc","mdoe":"dry-run","mode":"later","expiresAt":"2020-01-01T00:00:00Z",
         "requestedBy":"trigger:job-completed","override":"yes"}""".getBytes(UTF_8), "user:x"))
        .isInstanceOf(RevocationRequests.BadRequest.class)
        .hasMessageContainingAll("unknown field 'mdoe'", "reason is required", "mode must be enforce, dry-run or shadow",
            "expiresAt must be in the future", "requestedBy may only name a playbook", "override must be true or false");
  }

  @Test
  void rejectsABodyThatIsNotJson() {
    assertThatThrownBy(() -> requests.fromJson("{target:".getBytes(UTF_8), "user:x"))
        .isInstanceOf(RevocationRequests.BadRequest.class)
        .satisfies(e -> assertThat(((RevocationRequests.BadRequest) e).code()).isEqualTo("malformed-json"));
  }

  @Test
  void acceptsAStructuredCloudEventKeepingItsIdAsRequestIdWhenTheDataHasNone() throws Exception {
    RevocationRequested data = new RevocationRequested(null, "k8s:prod:token/abc", null, "playbook says so",
        "playbook:contain-ci", null, null, null, false);
    byte[] body = CloudEventCodec.toStructuredJson(new Envelope<>("ce-123", URI.create("soar://acme"),
        EventType.REVOCATION_REQUESTED, null, null, null, data));

    Envelope<RevocationRequested> event = requests.fromCloudEvent(body, "user:x");

    assertThat(event.id()).isEqualTo("ce-123");
    assertThat(event.partitionKey()).isEqualTo("k8s:prod:token/abc");
    assertThat(event.data().requestId()).isEqualTo("ce-123");
    assertThat(event.data().mode()).isEqualTo(Mode.ENFORCE);
    assertThat(event.data().cascade()).isEqualTo(Cascade.DOWNSTREAM);
    assertThat(event.data().requestedBy()).isEqualTo("playbook:contain-ci");
  }

  @Test
  void rejectsACloudEventOfAnotherType() {
    byte[] body = ("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"x://y\",\"type\":\"dev.killswitch.alert.v1\","
        + "\"datacontenttype\":\"application/json\",\"data\":{}}").getBytes(UTF_8);

    assertThatThrownBy(() -> requests.fromCloudEvent(body, "user:x"))
        .isInstanceOf(RevocationRequests.BadRequest.class);
  }

  static String messageOf(String text) {
    try {
      IdentityRef.parse(text);
      throw new AssertionError("expected " + text + " to be invalid");
    } catch (InvalidIdentityRefException e) {
      return e.getMessage();
    }
  }
}
