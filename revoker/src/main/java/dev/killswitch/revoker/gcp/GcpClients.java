package dev.killswitch.revoker.gcp;

import com.google.api.gax.core.CredentialsProvider;
import com.google.api.gax.core.GoogleCredentialsProvider;
import com.google.api.gax.core.NoCredentialsProvider;
import com.google.api.gax.grpc.GrpcTransportChannel;
import com.google.api.gax.retrying.RetrySettings;
import com.google.api.gax.rpc.FixedTransportChannelProvider;
import com.google.api.gax.rpc.TransportChannelProvider;
import com.google.api.gax.rpc.UnaryCallSettings;
import com.google.cloud.iam.admin.v1.IAMClient;
import com.google.cloud.iam.admin.v1.IAMSettings;
import com.google.iam.v2.PoliciesClient;
import com.google.iam.v2.PoliciesSettings;
import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.revoker.RevokerException;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The Google IAM clients of the revoker: IAM Admin v1 ({@link IAMClient}: service accounts and their keys) and IAM
 * v2 ({@link PoliciesClient}: deny policies), shared by the three {@code gcp.*} providers across every configured
 * project (one set of credentials, granted the custom roles of {@code permissions/gcp/} in each project). gax does
 * not retry: the revoker's {@code RetryPolicy} is the one retry, so that every attempt shows in the ledger. Closing
 * this closes both clients.
 */
public final class GcpClients implements AutoCloseable {

  private final GcpConfig config;
  private final IAMClient iam;
  private final PoliciesClient policies;
  private final ManagedChannel channel;

  private GcpClients(GcpConfig config, IAMClient iam, PoliciesClient policies, ManagedChannel channel) {
    this.config = config;
    this.iam = iam;
    this.policies = policies;
    this.channel = channel;
  }

  /**
   * Clients for {@link GcpConfig#endpoint()}: Google's endpoint with Application Default Credentials (null), another
   * endpoint over TLS ({@code host:port}), or an emulator or fake without credentials ({@code plaintext:host:port},
   * {@code inprocess:<name>}, e.g. {@code FakeGoogleIam}).
   *
   * @throws RevokerException (INVALID_CONFIG) when the clients cannot be built (no default credentials, ...)
   */
  public static GcpClients fromConfig(GcpConfig config) {
    String endpoint = config.endpoint();
    ManagedChannel channel = null;
    TransportChannelProvider transport = null;
    CredentialsProvider credentials;
    if (endpoint != null && (endpoint.startsWith("inprocess:") || endpoint.startsWith("plaintext:"))) {
      channel = endpoint.startsWith("inprocess:")
          ? InProcessChannelBuilder.forName(endpoint.substring("inprocess:".length())).build()
          : ManagedChannelBuilder.forTarget(endpoint.substring("plaintext:".length())).usePlaintext().build();
      transport = FixedTransportChannelProvider.create(GrpcTransportChannel.create(channel));
      credentials = NoCredentialsProvider.create();
    } else {
      credentials = GoogleCredentialsProvider.newBuilder()
          .setScopesToApply(List.of("https://www.googleapis.com/auth/cloud-platform")).build();
    }
    try {
      IAMSettings.Builder iamSettings = IAMSettings.newBuilder().setCredentialsProvider(credentials);
      PoliciesSettings.Builder policySettings = PoliciesSettings.newBuilder().setCredentialsProvider(credentials);
      if (transport != null) {
        iamSettings.setTransportChannelProvider(transport);
        policySettings.setTransportChannelProvider(transport);
      } else if (endpoint != null) {
        iamSettings.setEndpoint(endpoint);
        policySettings.setEndpoint(endpoint);
      }
      RetrySettings once = RetrySettings.newBuilder().setMaxAttempts(1)
          .setTotalTimeoutDuration(config.callTimeout())
          .setInitialRpcTimeoutDuration(config.callTimeout())
          .setMaxRpcTimeoutDuration(config.callTimeout())
          .setRpcTimeoutMultiplier(1.0).build();
      iamSettings.applyToAllUnaryMethods(b -> noRetry(b, once));
      policySettings.applyToAllUnaryMethods(b -> noRetry(b, once));
      return new GcpClients(config, IAMClient.create(iamSettings.build()),
          PoliciesClient.create(policySettings.build()), channel);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.shutdownNow();
      }
      throw RevokerException.invalidConfig(List.of("gcp: cannot build the IAM clients: " + e.getMessage()));
    }
  }

  private static Void noRetry(UnaryCallSettings.Builder<?, ?> b, RetrySettings once) {
    b.setRetryableCodes(Set.of());
    b.setRetrySettings(once);
    return null;
  }

  /**
   * The three Google Cloud providers ({@code gcp.disable-sa-key}, {@code gcp.disable-service-account},
   * {@code gcp.deny-principal}), sharing these clients; register each in the {@code ProviderRegistry} and close
   * this object after the registry.
   */
  public List<RevocationProvider> providers(Clock clock) {
    DisableServiceAccountProvider accounts = new DisableServiceAccountProvider(this, clock);
    return List.of(new DisableSaKeyProvider(this, clock, accounts), accounts, new DenyPrincipalProvider(this, clock));
  }

  public GcpConfig config() {
    return config;
  }

  IAMClient iam() {
    return iam;
  }

  PoliciesClient policies() {
    return policies;
  }

  @Override
  public void close() {
    iam.close();
    policies.close();
    if (channel != null) {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
