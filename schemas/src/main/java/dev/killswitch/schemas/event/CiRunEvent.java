package dev.killswitch.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * Data of {@code dev.killswitch.ci.run.v1}: a CI workflow run, pipeline or CDEvents pipeline run changed state.
 *
 * @param provider {@code github}, {@code gitlab} or {@code cdevents}
 * @param run the run's identity reference
 * @param status {@code queued}, {@code in_progress}, {@code waiting} or {@code completed}
 * @param conclusion how a completed run ended ({@code success}, {@code failure}, {@code cancelled}, ...), else null
 */
public record CiRunEvent(
    String provider,
    String run,
    String repository,
    String name,
    String status,
    String conclusion,
    Integer attempt,
    String actor,
    String ref,
    String sha,
    String url,
    Instant startedAt,
    Instant completedAt,
    JsonNode raw) {}
