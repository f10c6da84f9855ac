package dev.killswitch.revoker.internal;

import java.util.TreeSet;

/**
 * The records of one partition that were read but are not done yet, and so the offset that may be committed: the
 * smallest outstanding one, or the next one to read when none is outstanding. Records finish out of order (a
 * retried action waits while later ones complete), so the committed offset never passes an action whose final
 * result is not recorded: whatever a crash loses is read again. Used by the executor's poll thread only.
 */
final class PartitionProgress {

  private final TreeSet<Long> outstanding = new TreeSet<>();
  private final int generation;
  private long next = -1;
  private long committed = -1;

  PartitionProgress(int generation) {
    this.generation = generation;
  }

  int generation() {
    return generation;
  }

  /** A record was read. */
  void read(long offset) {
    outstanding.add(offset);
    next = Math.max(next, offset + 1);
  }

  /** The record's work is over: its final result is recorded, or it needed none. */
  void done(long offset) {
    outstanding.remove(offset);
  }

  int outstanding() {
    return outstanding.size();
  }

  /** The offset to commit (the next record the group will read after a restart), or -1 before any record. */
  long committable() {
    return outstanding.isEmpty() ? next : outstanding.first();
  }

  /** True when {@link #committable()} moved past the last committed offset. */
  boolean moved() {
    return committable() > committed;
  }

  void committed(long offset) {
    committed = Math.max(committed, offset);
  }
}
