package dev.killswitch.schemas;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Set;

/** Test helper: the shipped JSON Schemas and golden examples, read from the classpath as other modules would. */
final class EventSchemas {

  private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  private EventSchemas() {}

  /** The schema document of a type, or null when it is not on the classpath. */
  static JsonNode schemaJson(EventType type) {
    return readResource(type.schemaResource());
  }

  static JsonSchema schema(EventType type) {
    return FACTORY.getSchema(schemaJson(type), CONFIG);
  }

  static Set<ValidationMessage> validate(EventType type, JsonNode data) {
    return schema(type).validate(data);
  }

  static String goldenResource(EventType type) {
    return "golden/" + type.shortName() + ".v1.json";
  }

  /** The golden data of a type, or null when there is none. */
  static JsonNode golden(EventType type) {
    return readResource(goldenResource(type));
  }

  static JsonNode readResource(String name) {
    try (InputStream in = EventSchemas.class.getClassLoader().getResourceAsStream(name)) {
      return in == null ? null : Json.mapper().readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(name, e);
    }
  }
}
