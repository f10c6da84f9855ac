package dev.killswitch.schemas.event;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * Data of {@code dev.killswitch.ci.job.v1}: one job of a CI run (a GitHub workflow job, a GitLab build, a
 * CDEvents task run) changed state.
 *
 * @param job the job's identity reference
 * @param run the reference of the run the job belongs to
 * @param status {@code queued}, {@code in_progress}, {@code waiting} or {@code completed}
 */
public record CiJobEvent(
    String provider,
    String job,
    String run,
    String repository,
    String name,
    String status,
    String conclusion,
    Integer attempt,
    String runnerName,
    List<String> labels,
    String ref,
    String sha,
    String url,
    Instant startedAt,
    Instant completedAt,
    JsonNode raw) {}
