package dev.killswitch.ingest.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.ingest.GcpPushAuth;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * Verifies the OIDC token of a Pub/Sub push request (see {@link GcpPushAuth}): a compact JWS signed RS256 (the
 * header's {@code alg} must be exactly that: {@code none} and HMAC are refused before any key is looked at) by a key
 * of the JWKS named by its {@code kid}, with {@code iss} Google, {@code aud} the configured audience, {@code email}
 * an allowed service account with {@code email_verified} true, and {@code exp}/{@code iat} around now (one minute
 * of clock skew).
 */
public final class PushTokens {

  static final Set<String> ISSUERS = Set.of("https://accounts.google.com", "accounts.google.com");
  static final Duration SKEW = Duration.ofMinutes(1);
  /** Google's push tokens are a little over 1 KB; anything far larger is not one. */
  private static final int MAX_TOKEN_CHARS = 16 * 1024;

  private final GcpPushAuth config;
  private final Jwks keys;
  private final Clock clock;

  public PushTokens(GcpPushAuth config, Clock clock) {
    this.config = config;
    this.keys = new Jwks(config.jwksUrl(), config.jwksFile(), clock);
    this.clock = clock;
  }

  /** True when the bearer token has the shape of a JWT (three base64url parts), not of a static token. */
  public static boolean isJwt(String token) {
    return token != null && token.chars().filter(c -> c == '.').count() == 2;
  }

  /** Null when the token is a valid push token; else why it is refused (no secret in it). */
  public String refusal(String token) {
    if (token.length() > MAX_TOKEN_CHARS) {
      return "the token is too long";
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 3 || parts[2].isEmpty()) {
      return "the token is not a signed JWT";
    }
    JsonNode header;
    JsonNode claims;
    byte[] signature;
    try {
      header = Json.mapper().readTree(Base64.getUrlDecoder().decode(parts[0]));
      claims = Json.mapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
      signature = Base64.getUrlDecoder().decode(parts[2]);
    } catch (IOException | IllegalArgumentException e) {
      return "the token is not a well-formed JWT";
    }
    if (header == null || !header.isObject() || claims == null || !claims.isObject()) {
      return "the token is not a well-formed JWT";
    }
    String alg = header.path("alg").asText("");
    if (!"RS256".equals(alg)) {
      return "the token's algorithm must be RS256, got '" + alg + "'";
    }
    String kid = header.path("kid").asText(null);
    RSAPublicKey key = kid == null ? null : keys.key(kid);
    if (key == null) {
      return "the token is signed by an unknown key (kid " + kid + ")";
    }
    if (!verifies(key, (parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII), signature)) {
      return "the token's signature does not verify";
    }
    return claimsRefusal(claims);
  }

  private String claimsRefusal(JsonNode claims) {
    if (!ISSUERS.contains(claims.path("iss").asText(""))) {
      return "the token's issuer is not Google";
    }
    if (!audienceMatches(claims.get("aud"))) {
      return "the token's audience is not " + config.audience();
    }
    String email = claims.path("email").asText("").toLowerCase(Locale.ROOT);
    if (!config.serviceAccounts().contains(email)) {
      return "the token's email is not an allowed push service account";
    }
    JsonNode verified = claims.get("email_verified");
    if (verified == null || !(verified.asBoolean(false) || "true".equals(verified.asText()))) {
      return "the token's email is not verified";
    }
    Instant now = clock.instant();
    JsonNode exp = claims.get("exp");
    if (exp == null || !exp.canConvertToLong() || !now.isBefore(Instant.ofEpochSecond(exp.asLong()).plus(SKEW))) {
      return "the token has expired (or has no exp)";
    }
    JsonNode iat = claims.get("iat");
    if (iat == null || !iat.canConvertToLong() || now.plus(SKEW).isBefore(Instant.ofEpochSecond(iat.asLong()))) {
      return "the token is issued in the future (or has no iat)";
    }
    return null;
  }

  private boolean audienceMatches(JsonNode aud) {
    if (aud == null) {
      return false;
    }
    if (aud.isTextual()) {
      return aud.textValue().equals(config.audience());
    }
    if (aud.isArray()) {
      for (JsonNode a : aud) {
        if (a.isTextual() && a.textValue().equals(config.audience())) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean verifies(RSAPublicKey key, byte[] signed, byte[] signature) {
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(key);
      rsa.update(signed);
      return rsa.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
