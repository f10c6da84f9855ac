package dev.killswitch.correlator.internal.streams;

import dev.killswitch.schemas.EventType;

/** A CloudEvent's value on its way to a sink (its ce_* headers travel on the record); null value: a tombstone. */
record Emitted(EventType type, byte[] value) {}
