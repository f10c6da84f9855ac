package dev.killswitch.cli;

/** The parts of Killswitch a process runs; {@code run} runs all of them in one JVM. */
public enum Role {
  INGEST, CORRELATOR, REVOKER
}
