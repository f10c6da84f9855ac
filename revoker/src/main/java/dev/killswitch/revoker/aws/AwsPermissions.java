package dev.killswitch.revoker.aws;

import dev.killswitch.revoker.plan.Actions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The IAM permissions each {@code aws.*} action needs in the account it acts in, shipped as an IAM policy JSON under
 * {@code permissions/aws/<action>.json} in the jar (attach it to the role Killswitch assumes there);
 * docs/providers/aws.md is built from these files.
 */
public final class AwsPermissions {

  /** The AWS actions, each with a permissions file. */
  public static final List<String> ACTIONS = List.of(Actions.AWS_DEACTIVATE_ACCESS_KEY, Actions.AWS_DENY_SESSION,
      Actions.AWS_REVOKE_ROLE_SESSIONS);

  private AwsPermissions() {}

  /** The class-path resource of the action's policy. */
  public static String resource(String action) {
    return "/permissions/aws/" + action + ".json";
  }

  /** The IAM policy JSON of the action. */
  public static String json(String action) {
    try (InputStream in = AwsPermissions.class.getResourceAsStream(resource(action))) {
      if (in == null) {
        throw new IllegalArgumentException("no permissions file for " + action + " (" + resource(action) + ")");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
