package dev.killswitch.correlator.internal.graph;

/** The edge kinds of DESIGN.md "The access graph and chains", as they are spelled on the wire. */
public final class EdgeKind {

  public static final String AUTHENTICATED_AS = "authenticated-as";
  public static final String MINTED = "minted";
  public static final String CREDENTIAL_OF = "credential-of";
  public static final String ASSUMED = "assumed";
  public static final String IMPERSONATED = "impersonated";
  public static final String USED = "used";

  private EdgeKind() {}
}
