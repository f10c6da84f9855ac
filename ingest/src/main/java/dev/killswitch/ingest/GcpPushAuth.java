package dev.killswitch.ingest;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Verification of the OIDC tokens a Pub/Sub push subscription with push authentication sends on
 * {@code POST /v1/ingest/gcp/audit} ({@code Authorization: Bearer <Google-signed JWT>}): RS256 signature by a key
 * of the JWKS, issuer {@code https://accounts.google.com} (or {@code accounts.google.com}), this audience, one of
 * these service accounts as a verified {@code email}, not expired.
 *
 * @param audience the {@code aud} the subscription puts in its tokens ({@code --push-auth-token-audience}; when
 *     the subscription sets none, Google uses the push endpoint URL)
 * @param serviceAccounts the push service accounts ({@code --push-auth-service-account}) whose tokens are accepted
 * @param jwksUrl where Google's signing keys are fetched (null when {@code jwksFile} is set)
 * @param jwksFile a local JWKS file instead of the URL (air-gapped deployments, tests); null for the URL
 */
public record GcpPushAuth(String audience, Set<String> serviceAccounts, URI jwksUrl, Path jwksFile) {

  /** Google's OAuth2 signing keys as a JWKS. */
  public static final URI GOOGLE_JWKS = URI.create("https://www.googleapis.com/oauth2/v3/certs");

  public GcpPushAuth {
    List<String> problems = new ArrayList<>();
    if (audience == null || audience.isBlank()) {
      problems.add("the push token audience must not be blank");
    }
    if (serviceAccounts == null || serviceAccounts.isEmpty()) {
      problems.add("at least one push service account is required (any Google account can otherwise push)");
    }
    if ((jwksUrl == null) == (jwksFile == null)) {
      problems.add("exactly one of a JWKS URL and a JWKS file is required");
    }
    if (jwksUrl != null && !"https".equals(jwksUrl.getScheme()) && !"http".equals(jwksUrl.getScheme())) {
      problems.add("the JWKS URL must be http(s), got " + jwksUrl);
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException("invalid GCP push authentication: " + String.join("; ", problems));
    }
    serviceAccounts = serviceAccounts.stream().map(s -> s.strip().toLowerCase(Locale.ROOT))
        .collect(Collectors.toUnmodifiableSet());
  }

  /** Tokens for this audience from these service accounts, checked against Google's published keys. */
  public static GcpPushAuth google(String audience, Set<String> serviceAccounts) {
    return new GcpPushAuth(audience, serviceAccounts, GOOGLE_JWKS, null);
  }
}
