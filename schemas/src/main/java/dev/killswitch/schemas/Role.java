package dev.killswitch.schemas;

/** What a bearer token may do on the HTTP API. */
public enum Role {
  /** POST to the ingest paths that are not signed by their source. */
  INGEST,
  /** Read chains, identities and revocations. */
  ANALYST,
  /** Request revocations. */
  REVOKER,
  /** Approve broad revocations. */
  APPROVER,
  /** The apiserver calling the authorization webhook. */
  AUTHZ
}
