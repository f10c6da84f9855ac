package dev.killswitch.revoker.internal;

import dev.killswitch.schemas.CloudEventCodec;
import dev.killswitch.schemas.EventType;
import dev.killswitch.schemas.IdentityRef;
import dev.killswitch.schemas.InvalidIdentityRefException;
import dev.killswitch.schemas.event.RevocationRequested;
import dev.killswitch.schemas.event.RevocationResult;
import dev.killswitch.schemas.event.RevocationResult.Outcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The revocation ledger as this instance knows it: every request ({@code killswitch.revocation.requests}) and
 * the latest result of every action ({@code killswitch.revocation.results}, compacted, key action id). The
 * results topic is the source of truth; this is its in-memory view, rebuilt from the beginning at start.
 *
 * <p>A final outcome is never replaced by {@code pending} in the view. When a {@code pending} record lands in
 * the topic after a final one (a duplicate request re-planned while the first copy executed), the view keeps
 * the final outcome and remembers that the topic's latest record is not final, so that the executor writes the
 * final outcome again and compaction cannot keep the {@code pending} one.
 */
public final class Ledger {

  /** What GET /v1/revocations/{requestId} answers. */
  public record RequestView(RevocationRequested request, String status, List<ActionView> actions) {
    public RequestView withStatus(String newStatus) {
      return new RequestView(request, newStatus, actions);
    }
  }

  /** Where the first copy of a request is in the requests topic. */
  public record RequestPosition(TopicPartition partition, long offset) {}

  /** One action of a request with its outcome. */
  public record ActionView(String actionId, String action, String target, Outcome outcome, String detail,
                           int attempts, Instant recordedAt) {}

  private record Entry(RevocationResult best, boolean latestIsFinal) {}

  private final Map<String, RevocationRequested> requests = new HashMap<>();
  private final Map<String, RequestPosition> positions = new HashMap<>();
  private final Map<String, Entry> results = new HashMap<>();
  private final Map<String, Set<String>> actionsByRequest = new HashMap<>();
  private final TreeMap<Instant, Set<String>> locks = new TreeMap<>();
  private final String requestsTopic;

  public Ledger(String requestsTopic) {
    this.requestsTopic = requestsTopic;
  }

  /** Applies one record of the requests or results topic. */
  public void apply(ConsumerRecord<String, byte[]> record) {
    if (record.topic().equals(requestsTopic)) {
      if (record.value() != null) {
        var envelope = CloudEventCodec.fromKafka(record);
        if (envelope.type() == EventType.REVOCATION_REQUESTED) {
          RevocationRequested request = envelope.dataAs(RevocationRequested.class);
          applyRequest(request);
          synchronized (this) {
            if (request.requestId() != null) {
              positions.putIfAbsent(request.requestId(),
                  new RequestPosition(new TopicPartition(record.topic(), record.partition()), record.offset()));
            }
          }
        }
      }
    } else if (record.value() == null) {
      if (record.key() != null) {
        forget(record.key());
      }
    } else {
      var envelope = CloudEventCodec.fromKafka(record);
      if (envelope.type() != EventType.REVOCATION_RESULT) {
        throw new IllegalArgumentException("expected " + EventType.REVOCATION_RESULT.type() + ", got " + envelope.type().type());
      }
      applyResult(envelope.dataAs(RevocationResult.class));
    }
  }

  /** The first copy of a request id is the request; later copies are duplicates. */
  public synchronized void applyRequest(RevocationRequested request) {
    if (request.requestId() != null && requests.putIfAbsent(request.requestId(), request) == null
        && request.expiresAt() != null) {
      locks.computeIfAbsent(request.expiresAt(), k -> new TreeSet<>()).add(request.requestId());
    }
  }

  /** A revoked action of a temporary lock whose time is up: the lifter undoes it. */
  public record Lift(RevocationRequested request, RevocationResult revoked) {}

  /**
   * The actions of temporary locks that expired at or before {@code now} and are still revoked. A lock whose
   * actions have all ended otherwise (lifted, failed, skipped, dry-run) is forgotten here.
   */
  public synchronized List<Lift> dueLifts(Instant now) {
    List<Lift> due = new ArrayList<>();
    var expired = locks.headMap(now, true);
    for (var it = expired.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      entry.getValue().removeIf(requestId -> {
        Set<String> ids = actionsByRequest.getOrDefault(requestId, Set.of());
        boolean open = ids.isEmpty();
        for (String id : ids) {
          Entry e = results.get(id);
          if (e == null) {
            continue;
          }
          Outcome o = e.best.outcome();
          if (o == Outcome.REVOKED || o == Outcome.ALREADY_REVOKED) {
            due.add(new Lift(requests.get(requestId), e.best));
            open = true;
          } else if (o == Outcome.PENDING) {
            open = true;
          }
        }
        return !open;
      });
      if (entry.getValue().isEmpty()) {
        it.remove();
      }
    }
    return due;
  }

  /** Records a result (from the topic, or written by this instance and acknowledged). */
  public synchronized void applyResult(RevocationResult result) {
    if (result.actionId() == null) {
      throw new IllegalArgumentException("result without action id");
    }
    Entry old = results.get(result.actionId());
    boolean isFinal = result.outcome() != null && result.outcome().isFinal();
    Entry next;
    if (isFinal || old == null || !isFinal(old.best)) {
      next = new Entry(result, isFinal);
    } else {
      next = new Entry(old.best, false);
    }
    results.put(result.actionId(), next);
    if (result.requestId() != null) {
      actionsByRequest.computeIfAbsent(result.requestId(), k -> new TreeSet<>()).add(result.actionId());
    }
  }

  /** The recorded final result of the action, if any: the executor does not call a provider again then. */
  public synchronized Optional<RevocationResult> finalResult(String actionId) {
    Entry e = results.get(actionId);
    return e != null && isFinal(e.best) ? Optional.of(e.best) : Optional.empty();
  }

  /** The action's recorded result (the final one when there is one, else the latest pending one). */
  public synchronized Optional<RevocationResult> result(String actionId) {
    Entry e = results.get(actionId);
    return e == null ? Optional.empty() : Optional.of(e.best);
  }

  /** True when the action has a final result but the topic's latest record for it is pending. */
  public synchronized boolean needsReassert(String actionId) {
    Entry e = results.get(actionId);
    return e != null && isFinal(e.best) && !e.latestIsFinal;
  }

  public synchronized Optional<RequestView> view(String requestId) {
    RevocationRequested request = requests.get(requestId);
    Set<String> ids = actionsByRequest.getOrDefault(requestId, Set.of());
    if (request == null && ids.isEmpty()) {
      return Optional.empty();
    }
    List<ActionView> actions = ids.stream()
        .map(id -> results.get(id).best)
        .map(r -> new ActionView(r.actionId(), r.action(), r.target(), r.outcome(), r.detail(), r.attempts(),
            r.recordedAt()))
        .sorted(Comparator.comparing((ActionView a) -> String.valueOf(a.target()))
            .thenComparing(a -> String.valueOf(a.action())))
        .toList();
    return Optional.of(new RequestView(request, actions.isEmpty() ? unplannedStatus(request) : status(actions),
        actions));
  }

  /** Where the request was read from, to tell whether the planner is past it. */
  public synchronized Optional<RequestPosition> position(String requestId) {
    return Optional.ofNullable(positions.get(requestId));
  }

  /**
   * A request without ledger entries: {@code rejected} when its target is not an identity reference (the planner
   * sends it to the dead letter topic), otherwise {@code requested} (not planned yet, or planned with nothing to
   * revoke: the caller tells them apart by the planner's committed offset).
   */
  private static String unplannedStatus(RevocationRequested request) {
    if (request == null || request.target() == null) {
      return "rejected";
    }
    try {
      IdentityRef.parse(request.target());
      return "requested";
    } catch (InvalidIdentityRefException e) {
      return "rejected";
    }
  }

  /**
   * For a request with ledger entries: {@code pending-approval} (a broad action waits for an approver),
   * {@code planned} (nothing executed yet), {@code in-progress}, {@code failed} (every action ended, some failed) or
   * {@code done} (a lifted lock is done too).
   */
  static String status(List<ActionView> actions) {
    if (actions.stream().anyMatch(a -> a.outcome() == Outcome.PENDING && Events.AWAITING_APPROVAL.equals(a.detail()))) {
      return "pending-approval";
    }
    long pending = actions.stream().filter(a -> a.outcome() == Outcome.PENDING).count();
    if (pending == actions.size() && actions.stream().allMatch(a -> a.attempts() == 0)) {
      return "planned";
    }
    if (pending > 0) {
      return "in-progress";
    }
    return actions.stream().anyMatch(a -> a.outcome() == Outcome.FAILED) ? "failed" : "done";
  }

  private void forget(String actionId) {
    synchronized (this) {
      Entry e = results.remove(actionId);
      if (e != null && e.best.requestId() != null) {
        Set<String> ids = actionsByRequest.get(e.best.requestId());
        if (ids != null) {
          ids.remove(actionId);
        }
      }
    }
  }

  private static boolean isFinal(RevocationResult r) {
    return r.outcome() != null && r.outcome().isFinal();
  }
}
