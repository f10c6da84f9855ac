package dev.killswitch.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.ValidationMessage;
import dev.killswitch.schemas.event.ChainSnapshot;
import dev.killswitch.schemas.event.RevocationAction;
import dev.killswitch.schemas.event.RevocationResult;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every event type has a JSON Schema and a golden example (src/test/resources/golden, see its README); each golden
 * validates, binds to its record and serializes back to the same JSON, and broken copies are rejected.
 */
class GoldenEventsTest {

  @Test
  void everyEventTypeHasASchemaAndAGolden() {
    for (EventType type : EventType.values()) {
      assertThat(EventSchemas.schemaJson(type)).as(type.schemaResource()).isNotNull();
      assertThat(EventSchemas.golden(type)).as(EventSchemas.goldenResource(type)).isNotNull();
    }
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void schemaIsDraft202012AndItsIdIsTheDataschema(EventType type) {
    JsonNode schema = EventSchemas.schemaJson(type);
    assertThat(schema.get("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
    assertThat(schema.get("$id").asText()).isEqualTo(type.dataschema().toString());
    assertThat(schema.get("title").asText()).isEqualTo(type.type());
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void goldenValidatesAgainstItsSchema(EventType type) {
    assertThat(EventSchemas.validate(type, EventSchemas.golden(type))).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void goldenBindsToItsRecordAndSerializesBackToTheSameJson(EventType type) throws Exception {
    JsonNode golden = EventSchemas.golden(type);

    Object record = Json.mapper().treeToValue(golden, type.dataClass());
    JsonNode back = Json.mapper().readTree(Json.mapper().writeValueAsBytes(record));

    assertThat(record).isInstanceOf(type.dataClass());
    assertThat(back).isEqualTo(golden);
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void goldenTravelsThroughKafkaAndStructuredJsonUnchanged(EventType type) throws Exception {
    Object data = Json.mapper().treeToValue(EventSchemas.golden(type), type.dataClass());
    Envelope<Object> event = new Envelope<>("golden-" + type.shortName(), URI.create("urn:killswitch:test"), type,
        null, OffsetDateTime.parse("2025-03-14T09:30:00Z"), "key", data);

    var produced = CloudEventCodec.toKafka("t", event);
    assertThat(CloudEventCodec.fromKafka(produced.headers(), produced.value())).isEqualTo(event);
    assertThat(CloudEventCodec.fromStructuredJson(CloudEventCodec.toStructuredJson(event))).isEqualTo(event);
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void everyIdentityReferenceInAGoldenIsCanonical(EventType type) {
    List<String> refs = new ArrayList<>();
    collectReferences(EventSchemas.schemaJson(type), EventSchemas.schemaJson(type), EventSchemas.golden(type), refs);

    assertThat(refs).as("the golden shows identity references").isNotEmpty();
    for (String ref : refs) {
      assertThat(IdentityRef.parse(ref).toString()).isEqualTo(ref);
    }
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void aCopyMissingARequiredFieldFailsValidation(EventType type) {
    JsonNode schema = EventSchemas.schemaJson(type);
    assertThat(schema.get("required")).as("required fields").isNotEmpty();
    for (JsonNode field : schema.get("required")) {
      ObjectNode broken = EventSchemas.golden(type).deepCopy();
      broken.remove(field.asText());

      assertThat(EventSchemas.validate(type, broken)).as("without " + field.asText())
          .anySatisfy(m -> assertThat(m.getMessage()).contains("required property '" + field.asText() + "'"));
    }
  }

  @ParameterizedTest
  @EnumSource(EventType.class)
  void aCopyWithAValueOutsideAnEnumFailsValidation(EventType type) {
    JsonNode properties = EventSchemas.schemaJson(type).get("properties");
    int enums = 0;
    for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> p = it.next();
      if (p.getValue().has("enum")) {
        enums++;
        ObjectNode broken = EventSchemas.golden(type).deepCopy();
        broken.put(p.getKey(), "not-a-" + p.getKey());
        assertThat(EventSchemas.validate(type, broken)).as(p.getKey()).isNotEmpty();
      }
    }
    if (type != EventType.REVOCATION_ACTION && type != EventType.GCP_AUDIT && type != EventType.AWS_CLOUDTRAIL) {
      assertThat(enums).as("top-level enums of " + type).isPositive();
    }
  }

  @Test
  void wireValuesAreTheHyphenatedOnes() {
    ObjectNode result = EventSchemas.golden(EventType.REVOCATION_RESULT).deepCopy();
    result.put("outcome", "ALREADY_REVOKED");
    assertThat(EventSchemas.validate(EventType.REVOCATION_RESULT, result)).isNotEmpty();
    result.put("outcome", "already_revoked");
    assertThat(EventSchemas.validate(EventType.REVOCATION_RESULT, result)).isNotEmpty();

    ObjectNode request = EventSchemas.golden(EventType.REVOCATION_REQUESTED).deepCopy();
    request.put("mode", "dry-run");
    assertThat(EventSchemas.validate(EventType.REVOCATION_REQUESTED, request)).isEmpty();
    request.put("mode", "dry_run");
    assertThat(EventSchemas.validate(EventType.REVOCATION_REQUESTED, request)).isNotEmpty();
  }

  @Test
  void aSkippedOrFailedResultMustSayWhy() {
    for (String outcome : List.of("skipped", "failed")) {
      ObjectNode result = EventSchemas.golden(EventType.REVOCATION_RESULT).deepCopy();
      result.put("outcome", outcome);
      assertThat(EventSchemas.validate(EventType.REVOCATION_RESULT, result)).as(outcome).isEmpty();
      result.remove("detail");
      assertThat(EventSchemas.validate(EventType.REVOCATION_RESULT, result)).as(outcome + " without detail")
          .anySatisfy(m -> assertThat(m.getMessage()).contains("detail"));
    }
  }

  @Test
  void rejectsUnknownFieldsMalformedReferencesAndTimes() {
    ObjectNode audit = EventSchemas.golden(EventType.K8S_AUDIT).deepCopy();
    audit.put("tokenValue", "eyJhbGciOi...");
    assertThat(messages(EventType.K8S_AUDIT, audit)).anyMatch(m -> m.contains("tokenValue"));

    audit = EventSchemas.golden(EventType.K8S_AUDIT).deepCopy();
    audit.put("ciRun", "github:acme/app/runs/1234");
    assertThat(messages(EventType.K8S_AUDIT, audit)).anyMatch(m -> m.contains("ciRun"));

    audit = EventSchemas.golden(EventType.K8S_AUDIT).deepCopy();
    audit.put("issuedCredentialId", "JTI=7c1a0e1f-6b9d-4c3e-9a55-0f2d8e4b1a77");
    assertThat(messages(EventType.K8S_AUDIT, audit)).anyMatch(m -> m.contains("issuedCredentialId"));

    audit = EventSchemas.golden(EventType.K8S_AUDIT).deepCopy();
    audit.put("stageAt", "14/03/2025 09:21");
    assertThat(messages(EventType.K8S_AUDIT, audit)).anyMatch(m -> m.contains("stageAt"));

    ObjectNode chain = EventSchemas.golden(EventType.CHAIN).deepCopy();
    ((ObjectNode) chain.get("edges").get(0)).put("kind", "owns");
    ((ObjectNode) chain.get("nodes").get(0)).remove("ref");
    assertThat(messages(EventType.CHAIN, chain))
        .anyMatch(m -> m.contains("edges[0].kind") || m.contains("edges/0/kind"))
        .anyMatch(m -> m.contains("ref"));
  }

  @Test
  void goldenIdsAreTheDeterministicOnes() throws Exception {
    RevocationAction action = Json.mapper().treeToValue(EventSchemas.golden(EventType.REVOCATION_ACTION),
        RevocationAction.class);
    assertThat(action.actionId()).isEqualTo(DeterministicIds.actionId(action.requestId(), action.action(), action.target()));

    RevocationResult result = Json.mapper().treeToValue(EventSchemas.golden(EventType.REVOCATION_RESULT),
        RevocationResult.class);
    assertThat(result.actionId()).isEqualTo(action.actionId());

    ChainSnapshot chain = Json.mapper().treeToValue(EventSchemas.golden(EventType.CHAIN), ChainSnapshot.class);
    assertThat(chain.chainId()).isEqualTo(DeterministicIds.chainId(chain.root()));
    for (ChainSnapshot.Node node : chain.nodes()) {
      assertThat(node.kind()).as(node.ref()).isEqualTo(IdentityRef.parse(node.ref()).kind().wireName());
    }
  }

  @Test
  void aSnapshotWrittenBeforeNodesHadAttributesStillValidatesAndDecodes() throws Exception {
    ObjectNode chain = EventSchemas.golden(EventType.CHAIN).deepCopy();
    chain.get("nodes").forEach(n -> ((ObjectNode) n).remove("attributes"));

    assertThat(messages(EventType.CHAIN, chain)).isEmpty();
    ChainSnapshot decoded = Json.mapper().treeToValue(chain, ChainSnapshot.class);
    assertThat(decoded.nodes()).allSatisfy(n -> assertThat(n.attributes()).isNull());
    assertThat(Json.mapper().valueToTree(decoded).path("nodes").get(0).has("attributes")).isFalse();
  }

  @Test
  void theSessionNodeOfTheGoldenChainCarriesWhatDeniesThatOneSession() throws Exception {
    ChainSnapshot chain = Json.mapper().treeToValue(EventSchemas.golden(EventType.CHAIN), ChainSnapshot.class);

    assertThat(chain.nodes()).filteredOn(n -> n.kind().equals("aws-session")).singleElement()
        .satisfies(n -> assertThat(n.attributes())
            .containsEntry(ChainSnapshot.Node.ROLE_ID, "AROA4EXAMPLEROLEID7XQ")
            .containsEntry(ChainSnapshot.Node.SESSION_NAME, "GitHubActions")
            .containsEntry(ChainSnapshot.Node.EXPIRES_AT, "2025-03-14T10:22:41Z"));
  }

  private static List<String> messages(EventType type, JsonNode data) {
    Set<ValidationMessage> errors = EventSchemas.validate(type, data);
    return errors.stream().map(ValidationMessage::getMessage).toList();
  }

  /** Walks schema and instance together and collects strings whose schema pattern is an identity reference's. */
  private static void collectReferences(JsonNode root, JsonNode schema, JsonNode value, List<String> out) {
    if (schema == null || value == null) {
      return;
    }
    if (schema.has("$ref")) {
      String pointer = schema.get("$ref").asText();
      collectReferences(root, root.at(pointer.substring(1)), value, out);
      return;
    }
    if (value.isTextual() && schema.has("pattern")) {
      String pattern = schema.get("pattern").asText();
      if (pattern.contains("k8s:") || pattern.contains("ci:") || pattern.contains("aws:")) {
        out.add(value.asText());
      }
    } else if (value.isArray() && schema.has("items")) {
      for (JsonNode item : (ArrayNode) value) {
        collectReferences(root, schema.get("items"), item, out);
      }
    } else if (value.isObject() && schema.has("properties")) {
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> f = it.next();
        collectReferences(root, schema.get("properties").get(f.getKey()), f.getValue(), out);
      }
    }
  }
}
