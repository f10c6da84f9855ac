package dev.killswitch.revoker.gcp;

import dev.killswitch.revoker.plan.Actions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The IAM permissions each {@code gcp.*} action needs, shipped as a custom role YAML (for {@code gcloud iam roles
 * create --file}) under {@code permissions/gcp/<action>.yaml} in the jar (grant it to Killswitch in each project, or
 * where the deny policies attach); docs/providers/gcp.md is built from these files.
 */
public final class GcpPermissions {

  /** The Google Cloud actions, each with a permissions file. */
  public static final List<String> ACTIONS = List.of(Actions.GCP_DISABLE_SA_KEY, Actions.GCP_DISABLE_SERVICE_ACCOUNT,
      Actions.GCP_DENY_PRINCIPAL);

  private GcpPermissions() {}

  /** The class-path resource of the action's custom role. */
  public static String resource(String action) {
    return "/permissions/gcp/" + action + ".yaml";
  }

  /** The custom role YAML of the action. */
  public static String yaml(String action) {
    try (InputStream in = GcpPermissions.class.getResourceAsStream(resource(action))) {
      if (in == null) {
        throw new IllegalArgumentException("no permissions file for " + action + " (" + resource(action) + ")");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
