package dev.killswitch.ingest.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import dev.killswitch.ingest.Fixtures;
import dev.killswitch.schemas.Envelope;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every event made from a CDEvents or Tekton fixture validates against the JSON Schema of its type. */
class CiCloudEventsSchemaTest {

  private static final List<String> CDEVENTS = List.of("v0.4.1_pipelinerun_queued.json",
      "v0.4.1_pipelinerun_started.json", "v0.4.1_pipelinerun_finished.json", "v0.4.1_taskrun_started.json",
      "v0.4.1_taskrun_finished.json", "main-0.6.0-draft_pipelinerun_finished.json",
      "main-0.6.0-draft_taskrun_finished.json");

  @Test
  void everyNormalizedCdEventsAndTektonEventValidates() throws IOException {
    CdEventsNormalizer cdevents = new CdEventsNormalizer(new Redactor());
    for (String f : CDEVENTS) {
      JsonNode source = Fixtures.json("cdevents/" + f);
      assertValid(((Normalized.Publish) cdevents.normalize(null, source)).event());
    }
    Normalized tekton = new TektonNormalizer(new Redactor()).normalize("77f78ae7",
        "/apis/tekton.dev/v1beta1/namespaces/default/taskruns/curl-run-6gplk", "dev.tekton.event.taskrun.unknown.v1",
        "curl-run-6gplk", null, Fixtures.json("tekton/taskrun-unknown-v1-cloudevent-data.json"));
    assertValid(((Normalized.Publish) tekton).event());
  }

  private static void assertValid(Envelope<?> e) throws IOException {
    try (InputStream in = EventType.class.getClassLoader().getResourceAsStream(e.type().schemaResource())) {
      var schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(Json.mapper().readTree(in),
          SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
      assertThat(schema.validate(Json.mapper().valueToTree(e.data()))).as(e.id()).isEmpty();
    }
  }
}
