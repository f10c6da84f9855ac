package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.killswitch.ingest.IngestException;
import dev.killswitch.ingest.IngestException.Reason;
import dev.killswitch.schemas.DeadLetter;
import dev.killswitch.schemas.Json;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Reading request bodies: a size limit enforced while reading (not trusting Content-Length alone, and not
 * depending on the server's own limit), the content type, strict JSON.
 */
public final class Bodies {

  /** How the body is encoded. */
  public enum Media { JSON, FORM }

  private static final ObjectReader STRICT = Json.mapper().reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private Bodies() {}

  /** A body over the limit: the first bytes are kept for the dead letter topic. */
  public static final class TooLarge extends Exception {
    private final transient byte[] prefix;

    TooLarge(String message, byte[] prefix) {
      super(message, null, false, false);
      this.prefix = prefix;
    }

    public byte[] prefix() {
      return prefix;
    }

    public IngestException problem() {
      return IngestException.of(Reason.REQUEST_TOO_LARGE, getMessage());
    }
  }

  /** The whole body, or {@link TooLarge} as soon as it passes {@code max} bytes. */
  public static byte[] read(Context ctx, long max) throws TooLarge, IOException {
    long declared = ctx.req().getContentLengthLong();
    try (InputStream in = ctx.bodyInputStream()) {
      if (declared > max) {
        throw new TooLarge("the body has " + declared + " bytes, the limit is " + max,
            in.readNBytes(DeadLetter.MAX_BYTES));
      }
      byte[] body = in.readNBytes((int) Math.min(max + 1, Integer.MAX_VALUE - 16));
      if (body.length > max) {
        throw new TooLarge("the body exceeds the limit of " + max + " bytes",
            java.util.Arrays.copyOf(body, DeadLetter.MAX_BYTES));
      }
      return body;
    }
  }

  /**
   * JSON ({@code application/json}, {@code application/*+json}, or no Content-Type at all) or, when
   * {@code formAllowed}, {@code application/x-www-form-urlencoded}; anything else is 415.
   */
  public static Media media(String contentType, boolean formAllowed) {
    if (contentType == null || contentType.isBlank()) {
      return Media.JSON;
    }
    int semi = contentType.indexOf(';');
    String base = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    if (base.equals("application/json") || (base.startsWith("application/") && base.endsWith("+json"))) {
      return Media.JSON;
    }
    if (formAllowed && base.equals("application/x-www-form-urlencoded")) {
      return Media.FORM;
    }
    throw IngestException.of(Reason.UNSUPPORTED_MEDIA_TYPE, "Content-Type " + base + " is not accepted; send "
        + (formAllowed ? "application/json or application/x-www-form-urlencoded" : "application/json"));
  }

  /** The value of the {@code payload} parameter of a form-encoded body (how GitHub sends form deliveries). */
  public static byte[] formPayload(byte[] body) {
    String form = new String(body, StandardCharsets.US_ASCII);
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      if (name.equals("payload")) {
        return URLDecoder.decode(eq < 0 ? "" : pair.substring(eq + 1), StandardCharsets.UTF_8)
            .getBytes(StandardCharsets.UTF_8);
      }
    }
    throw IngestException.of(Reason.UNSUPPORTED_MEDIA_TYPE,
        "a form-encoded body must carry the JSON in a payload parameter; send application/json");
  }

  /** One JSON document; anything else (empty, truncated, trailing garbage) is {@code malformed-json}. */
  public static JsonNode json(byte[] body) {
    if (body.length == 0) {
      throw IngestException.malformedJson("the body is empty", null);
    }
    try {
      JsonNode node = STRICT.readTree(body);
      if (node == null || node.isMissingNode()) {
        throw IngestException.malformedJson("the body holds no JSON value", null);
      }
      return node;
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? ""
          : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
      throw IngestException.malformedJson(e.getOriginalMessage() + where, e);
    } catch (IOException e) {
      throw IngestException.malformedJson(e.getMessage(), e);
    }
  }
}
