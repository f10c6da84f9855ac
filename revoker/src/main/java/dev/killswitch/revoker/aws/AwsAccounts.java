package dev.killswitch.revoker.aws;

import dev.killswitch.revoker.RevocationProvider;
import dev.killswitch.revoker.aws.AwsConfig.AccountAccess;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.iam.IamClient;
import software.amazon.awssdk.services.sts.StsClient;
import software.amazon.awssdk.services.sts.auth.StsAssumeRoleCredentialsProvider;
import software.amazon.awssdk.services.sts.model.AssumeRoleRequest;

/**
 * One IAM client per AWS account Killswitch revokes in, by account id (the {@code <account>} of {@code aws:}
 * references): the base credentials (the default provider chain, or static keys for tests and the demo) assume
 * the account's role with its external id ({@link AwsConfig.AccountAccess}), or act directly. Nothing connects
 * until the first call. The SDK does not retry: the revoker's {@code RetryPolicy} is the one retry, so that every
 * attempt shows in the ledger. Closing this closes every client.
 */
public final class AwsAccounts implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AwsAccounts.class);
  /** Assumed-role sessions of Killswitch itself last 15 minutes (the minimum) and are refreshed by the SDK. */
  private static final int ASSUMED_SESSION_SECONDS = 900;

  private final AwsConfig config;
  private final SdkHttpClient http;
  private final StsClient sts;
  private final Map<String, IamClient> byAccount;
  private final List<AutoCloseable> closeables;

  private AwsAccounts(AwsConfig config, SdkHttpClient http, StsClient sts, Map<String, IamClient> byAccount,
                      List<AutoCloseable> closeables) {
    this.config = config;
    this.http = http;
    this.sts = sts;
    this.byAccount = Map.copyOf(byAccount);
    this.closeables = List.copyOf(closeables);
  }

  /** Clients on the default credential chain (environment, profile, container or instance role, web identity). */
  public static AwsAccounts fromConfig(AwsConfig config) {
    return create(config, DefaultCredentialsProvider.builder().build());
  }

  /** Clients on fixed base keys: for tests and the demo against {@code FakeAwsIam}, never for production. */
  public static AwsAccounts withStaticCredentials(AwsConfig config, String accessKeyId, String secretAccessKey) {
    return create(config, StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKeyId, secretAccessKey)));
  }

  private static AwsAccounts create(AwsConfig config, AwsCredentialsProvider base) {
    SdkHttpClient http = UrlConnectionHttpClient.builder()
        .connectionTimeout(config.callTimeout()).socketTimeout(config.callTimeout()).build();
    ClientOverrideConfiguration override = ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.doNotRetry())
        .apiCallTimeout(config.callTimeout())
        .apiCallAttemptTimeout(config.callTimeout())
        .build();
    Region region = Region.of(config.region());
    var stsBuilder = StsClient.builder().httpClient(http).region(region).credentialsProvider(base)
        .overrideConfiguration(override);
    if (config.stsEndpoint() != null) {
      stsBuilder.endpointOverride(config.stsEndpoint());
    }
    StsClient sts = stsBuilder.build();
    Map<String, IamClient> clients = new TreeMap<>();
    List<AutoCloseable> closeables = new ArrayList<>();
    for (Map.Entry<String, AccountAccess> e : new TreeMap<>(config.accounts()).entrySet()) {
      AccountAccess access = e.getValue();
      AwsCredentialsProvider credentials = base;
      if (access.roleArn() != null) {
        AssumeRoleRequest.Builder assume = AssumeRoleRequest.builder().roleArn(access.roleArn())
            .roleSessionName(AwsConfig.SESSION_NAME).durationSeconds(ASSUMED_SESSION_SECONDS);
        if (access.externalId() != null) {
          assume.externalId(access.externalId());
        }
        StsAssumeRoleCredentialsProvider assumed = StsAssumeRoleCredentialsProvider.builder().stsClient(sts)
            .refreshRequest(assume.build()).asyncCredentialUpdateEnabled(false).build();
        closeables.add(assumed);
        credentials = assumed;
      }
      var iam = IamClient.builder().httpClient(http).region(region).credentialsProvider(credentials)
          .overrideConfiguration(override);
      if (config.iamEndpoint() != null) {
        iam.endpointOverride(config.iamEndpoint());
      }
      clients.put(e.getKey(), iam.build());
      LOG.info("AWS account {}: {}", e.getKey(), access.roleArn() == null ? "base credentials"
          : "assumes " + access.roleArn() + (access.externalId() == null ? "" : " with an external id"));
    }
    return new AwsAccounts(config, http, sts, clients, closeables);
  }

  /**
   * The three AWS providers ({@code aws.deactivate-access-key}, {@code aws.deny-session},
   * {@code aws.revoke-role-sessions}), sharing these clients; register each in the {@code ProviderRegistry} and
   * close this object after the registry.
   */
  public List<RevocationProvider> providers(Clock clock) {
    RevokeRoleSessionsProvider roleSessions = new RevokeRoleSessionsProvider(this, clock);
    return List.of(new DeactivateAccessKeyProvider(this, clock), new DenySessionProvider(this, clock, roleSessions),
        roleSessions);
  }

  /** The configured account ids. */
  public Set<String> accounts() {
    return byAccount.keySet();
  }

  public AwsConfig config() {
    return config;
  }

  Optional<IamClient> iam(String account) {
    return Optional.ofNullable(byAccount.get(account));
  }

  @Override
  public void close() {
    byAccount.values().forEach(IamClient::close);
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.debug("closing {} failed: {}", c, e.toString());
      }
    }
    sts.close();
    http.close();
  }
}
