package dev.killswitch.testkit.scenarios;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Envelope;
import java.util.List;
import java.util.Map;

/**
 * One request a source sends to Killswitch, as the source shapes it, and the normalized events ingest publishes
 * for it.
 *
 * @param file the file name the body is written to (under the scenario's directory)
 * @param path the ingest path it is posted to, e.g. {@code /v1/ingest/k8s-audit/prod-eu}
 * @param headers the headers the source sends (not the secrets: replay adds signatures and tokens)
 * @param body the request body
 * @param events what ingest publishes for it, in order
 */
public record SourceRecord(String file, String path, Map<String, String> headers, JsonNode body,
                           List<Envelope<?>> events) {

  public SourceRecord {
    headers = Map.copyOf(headers);
    events = List.copyOf(events);
  }
}
