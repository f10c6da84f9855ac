package dev.killswitch.schemas.event;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Data of {@code dev.killswitch.alert.v1}: something a SOC should look at.
 *
 * @param kind e.g. {@code reuse-after-completion}, {@code outside-boundary}, {@code source-silent}
 * @param subject the identity reference the alert is about
 * @param severity {@code low}, {@code medium}, {@code high} or {@code critical}
 * @param evidence CloudEvent ids that show it
 */
public record Alert(
    String alertId,
    String kind,
    String subject,
    String severity,
    String summary,
    List<String> evidence,
    Map<String, String> details,
    Instant raisedAt) {}
