package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.json.UTF8JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A source object the redactor left untouched, written to UTF-8 JSON as the very bytes it was parsed from
 * instead of being serialized again field by field (the {@code raw} of a normalized event was a third of the
 * cost of ingest). As a tree it is an ordinary {@link ObjectNode} holding the same children (equal to the
 * parsed tree); only {@link #serialize} differs, and only for a UTF-8 generator without pretty printing
 * (Jackson's byte output): any other generator (a {@code TokenBuffer} for {@code valueToTree}, a
 * {@code Writer}) gets the fields as usual.
 *
 * <p>Only for bytes that are exactly one JSON object which parsed to this tree with no repeated field name at
 * any depth (a repeated name keeps only its last value in the tree, but both in the bytes) and in which the
 * redactor replaced nothing: then the bytes hold the same values as the tree, in the source's own spelling
 * (its whitespace and escapes kept).
 */
final class VerbatimObjectNode extends ObjectNode {

  private static final long serialVersionUID = 1L;

  private final transient byte[] source;
  private final int offset;
  private final int length;

  private VerbatimObjectNode(ObjectNode parsed, byte[] source, int offset, int length) {
    super(JsonNodeFactory.instance);
    setAll(parsed);
    this.source = source;
    this.offset = offset;
    this.length = length;
  }

  /** The parsed object with its source bytes {@code source[offset, offset + length)}. */
  static VerbatimObjectNode of(ObjectNode parsed, byte[] source, int offset, int length) {
    if (offset < 0 || length < 2 || offset + length > source.length || source[offset] != '{'
        || source[offset + length - 1] != '}') {
      throw new IllegalArgumentException("not the span of a JSON object: " + offset + "+" + length);
    }
    return new VerbatimObjectNode(parsed, source, offset, length);
  }

  @Override
  public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
    if (g instanceof UTF8JsonGenerator && g.getPrettyPrinter() == null) {
      g.writeRawValue(new Bytes());
    } else {
      super.serialize(g, provider);
    }
  }

  /** The source bytes as a raw value: {@link UTF8JsonGenerator} copies them into its buffer as they are. */
  private final class Bytes implements SerializableString {
    @Override
    public String getValue() {
      return new String(source, offset, length, StandardCharsets.UTF_8);
    }

    @Override
    public int charLength() {
      return getValue().length();
    }

    @Override
    public char[] asQuotedChars() {
      throw new UnsupportedOperationException("a raw JSON object is not a string value");
    }

    @Override
    public byte[] asUnquotedUTF8() {
      return Arrays.copyOfRange(source, offset, offset + length);
    }

    @Override
    public byte[] asQuotedUTF8() {
      throw new UnsupportedOperationException("a raw JSON object is not a string value");
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int at) {
      throw new UnsupportedOperationException("a raw JSON object is not a string value");
    }

    @Override
    public int appendQuoted(char[] buffer, int at) {
      throw new UnsupportedOperationException("a raw JSON object is not a string value");
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int at) {
      if (at + length > buffer.length) {
        return -1;
      }
      System.arraycopy(source, offset, buffer, at, length);
      return length;
    }

    @Override
    public int appendUnquoted(char[] buffer, int at) {
      String s = getValue();
      if (at + s.length() > buffer.length) {
        return -1;
      }
      s.getChars(0, s.length(), buffer, at);
      return s.length();
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) {
      throw new UnsupportedOperationException("a raw JSON object is not a string value");
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
      out.write(source, offset, length);
      return length;
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
      throw new UnsupportedOperationException("a raw JSON object is not a string value");
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
      if (buffer.remaining() < length) {
        return -1;
      }
      buffer.put(source, offset, length);
      return length;
    }
  }
}
