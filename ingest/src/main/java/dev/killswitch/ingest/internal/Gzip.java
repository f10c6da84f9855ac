package dev.killswitch.ingest.internal;

import dev.killswitch.ingest.IngestException;
import dev.killswitch.schemas.DeadLetter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;

/**
 * Inflating gzip request bodies (CloudTrail log files are {@code .json.gz}) under the same limit as a plain
 * body: the limit bounds what ingest holds and parses, so it applies to the inflated bytes (a small gzip body
 * must not inflate into gigabytes).
 */
final class Gzip {

  private Gzip() {}

  /** Bytes that are not a valid gzip stream; {@link #inflatedPrefix()} is what could be read before the damage. */
  static final class Corrupt extends Exception {
    private final transient byte[] inflatedPrefix;

    Corrupt(String message, byte[] inflatedPrefix) {
      super(message, null, false, false);
      this.inflatedPrefix = inflatedPrefix;
    }

    byte[] inflatedPrefix() {
      return inflatedPrefix;
    }

    IngestException problem() {
      return IngestException.malformedJson("the gzip body cannot be inflated: " + getMessage(), null);
    }
  }

  /** True when the bytes start with the gzip magic number 1f 8b. */
  static boolean isGzip(byte[] bytes) {
    return bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
  }

  /** The inflated bytes, or {@link Bodies.TooLarge} past {@code max}, or {@link Corrupt}. */
  static byte[] inflate(byte[] gzip, long max) throws Bodies.TooLarge, Corrupt {
    ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(gzip.length * 8, 1 << 20));
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
      byte[] buffer = new byte[8192];
      long total = 0;
      for (int n; (n = in.read(buffer)) > 0; ) {
        total += n;
        if (total > max) {
          byte[] prefix = out.toByteArray();
          throw new Bodies.TooLarge("the body inflates past the limit of " + max + " bytes",
              prefix.length > DeadLetter.MAX_BYTES ? Arrays.copyOf(prefix, DeadLetter.MAX_BYTES) : prefix);
        }
        out.write(buffer, 0, n);
      }
      return out.toByteArray();
    } catch (IOException e) {
      byte[] prefix = out.toByteArray();
      throw new Corrupt(e.getMessage(),
          prefix.length > DeadLetter.MAX_BYTES ? Arrays.copyOf(prefix, DeadLetter.MAX_BYTES) : prefix);
    }
  }

  /** As much as can be inflated, up to the dead-letter size, for bytes that are rejected anyway. */
  static byte[] inflatePrefix(byte[] gzip) {
    try {
      return inflate(gzip, DeadLetter.MAX_BYTES);
    } catch (Bodies.TooLarge e) {
      return e.prefix();
    } catch (Corrupt e) {
      return e.inflatedPrefix();
    }
  }
}
