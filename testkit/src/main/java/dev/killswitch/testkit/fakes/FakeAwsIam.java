package dev.killswitch.testkit.fakes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.killswitch.testkit.fakes.AwsIamState.Account;
import dev.killswitch.testkit.fakes.AwsIamState.Role;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP fake of the AWS IAM and STS Query APIs for the real AWS SDK: form-encoded {@code POST /} requests
 * ({@code Action=...&Version=2010-05-08} for IAM, {@code Version=2011-06-15} for STS), XML answers in the
 * documented response shapes, and AWS error XML ({@code <ErrorResponse><Error><Type/><Code/><Message/></Error>
 * <RequestId/></ErrorResponse>}) with the documented codes and HTTP statuses.
 *
 * <p>It holds state per account (users with access keys, roles with their RoleId, path and inline policies) and
 * knows the account of a request from the access key in its SigV4 {@code Authorization} header (the signature is
 * not verified): {@link #homeCredentials()} act in the home account, and {@code sts:AssumeRole} hands out session
 * keys that act in the account of the assumed role, so cross-account access works as it does in AWS. Every call is
 * recorded ({@link #calls()}); {@link #faults()} injects throttling, server errors and latency.
 *
 * <p>Operations: IAM {@code GetRole}, {@code GetRolePolicy}, {@code PutRolePolicy} (checks the JSON grammar, the
 * alphanumeric Sid rule and the 10,240-character limit on a role's inline policies, white space not counted),
 * {@code DeleteRolePolicy}, {@code ListRolePolicies}, {@code UpdateAccessKey}, {@code ListAccessKeys},
 * {@code GetAccessKeyLastUsed}; STS {@code AssumeRole} (checks the external id a role requires),
 * {@code GetCallerIdentity}. Service-linked roles (path {@code /aws-service-role/}) refuse policy changes with
 * {@code UnmodifiableEntity}. An unknown access key answers {@code NoSuchEntity} to {@code GetAccessKeyLastUsed}
 * as it does to {@code UpdateAccessKey} (an assumption: AWS does not document that case).
 *
 * <p>Plain JDK ({@code com.sun.net.httpserver}), usable outside JUnit: {@code try (FakeAwsIam iam =
 * FakeAwsIam.start()) { ... iam.endpoint() ... }}.
 */
public final class FakeAwsIam implements AutoCloseable {

  public static final String IAM_VERSION = "2010-05-08";
  public static final String STS_VERSION = "2011-06-15";
  public static final String DEFAULT_HOME_ACCOUNT = "111111111111";
  private static final Pattern CREDENTIAL = Pattern.compile("Credential=([A-Z0-9]+)/");

  /** One recorded request: the operation, its parameters (secrets left out), the account and the HTTP status. */
  public record Call(String action, Map<String, String> params, String account, int status) {}

  /** An access key pair of the fake. */
  public record Credentials(String accessKeyId, String secretAccessKey) {}

  private final HttpServer server;
  private final ExecutorService executor;
  private final AwsIamState state;
  private final Faults faults = new Faults();
  private final List<Call> calls = new CopyOnWriteArrayList<>();

  private FakeAwsIam(HttpServer server, ExecutorService executor, AwsIamState state) {
    this.server = server;
    this.executor = executor;
    this.state = state;
  }

  /** Starts on a free port of 127.0.0.1 with {@value #DEFAULT_HOME_ACCOUNT} as the home account. */
  public static FakeAwsIam start() {
    return start(DEFAULT_HOME_ACCOUNT);
  }

  public static FakeAwsIam start(String homeAccount) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-aws-iam");
        t.setDaemon(true);
        return t;
      });
      FakeAwsIam fake = new FakeAwsIam(server, executor, new AwsIamState(homeAccount));
      server.createContext("/", fake::handle);
      server.setExecutor(executor);
      server.start();
      return fake;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the IAM fake", e);
    }
  }

  /** The endpoint for both the IAM and the STS client ({@code endpointOverride}). */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Keys that act in the home account (use them as the SDK's static credentials). */
  public Credentials homeCredentials() {
    return state.homeCredentials();
  }

  public String homeAccount() {
    return state.homeAccount();
  }

  public Faults faults() {
    return faults;
  }

  /** Every request so far, in order. */
  public List<Call> calls() {
    return List.copyOf(calls);
  }

  /** The recorded calls of one operation. */
  public List<Call> calls(String action) {
    return calls.stream().filter(c -> c.action().equals(action)).toList();
  }

  public void clearCalls() {
    calls.clear();
  }

  // ---- state set-up and inspection ----

  /** Adds a role (path {@code /} by default; {@code /aws-service-role/...} makes it service-linked). */
  public Role addRole(String account, String name, String path) {
    return state.account(account).addRole(name, path, 3600, null);
  }

  /** Adds a role with its maximum session duration in seconds. */
  public Role addRole(String account, String name, String path, int maxSessionDurationSeconds) {
    return state.account(account).addRole(name, path, maxSessionDurationSeconds, null);
  }

  /** Adds a role with a given unique id ({@code AROA...}), e.g. the one a scenario's CloudTrail records name. */
  public Role addRole(String account, String name, String path, String roleId) {
    return state.account(account).addRole(name, path, 3600, roleId);
  }

  /** {@code sts:AssumeRole} of this role needs this external id (its trust policy's {@code sts:ExternalId}). */
  public void requireExternalId(String account, String roleName, String externalId) {
    state.account(account).role(roleName).orElseThrow().externalId = externalId;
  }

  /** Adds a user with one active access key and answers the key id. */
  public String addUserWithKey(String account, String userName) {
    return state.account(account).addUserWithKey(userName);
  }

  /** {@code Active}, {@code Inactive}, or empty when the key does not exist. */
  public Optional<String> accessKeyStatus(String account, String accessKeyId) {
    return state.account(account).keyStatus(accessKeyId);
  }

  /** An inline policy of a role, as plain JSON. */
  public Optional<String> rolePolicy(String account, String roleName, String policyName) {
    return state.account(account).role(roleName).map(r -> r.policies.get(policyName));
  }

  /** Puts an inline policy without going through the API (no checks), e.g. an operator's own policy. */
  public void putRolePolicy(String account, String roleName, String policyName, String json) {
    state.account(account).role(roleName).orElseThrow().policies.put(policyName, json);
  }

  /** Deletes a role (its sessions' later calls would fail in AWS; here later lookups answer NoSuchEntity). */
  public void deleteRole(String account, String roleName) {
    state.account(account).roles.remove(roleName);
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ---- HTTP ----

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Map<String, String> params = form(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      if (exchange.getRequestURI().getRawQuery() != null) {
        params.putAll(form(exchange.getRequestURI().getRawQuery()));
      }
      String action = params.getOrDefault("Action", "");
      String version = params.getOrDefault("Version", "");
      String accessKey = accessKey(exchange.getRequestHeaders().getFirst("Authorization"));
      Answer answer;
      String account = accessKey == null ? null : state.accountOf(accessKey);
      Faults.sleep(faults.latency());
      if (!"POST".equals(exchange.getRequestMethod())) {
        answer = Answer.error(version, 400, "Sender", "InvalidAction", "Query API requests are POSTs here");
      } else if (account == null) {
        answer = Answer.error(version, 403, "Sender", "InvalidClientTokenId",
            "The security token included in the request is invalid.");
      } else {
        answer = faulted(version, action).orElseGet(() -> dispatch(version, action, params, account));
      }
      Map<String, String> recorded = new LinkedHashMap<>(params);
      recorded.remove("Action");
      recorded.remove("Version");
      calls.add(new Call(action, Map.copyOf(recorded), account, answer.status));
      byte[] body = answer.xml.getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/xml");
      exchange.getResponseHeaders().set("x-amzn-RequestId", answer.requestId);
      exchange.sendResponseHeaders(answer.status, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    } catch (RuntimeException e) {
      exchange.sendResponseHeaders(500, -1);
    }
  }

  private Optional<Answer> faulted(String version, String action) {
    return faults.next(action).map(f -> switch (f.kind()) {
      case THROTTLE -> Answer.error(version, 400, "Sender", "Throttling", "Rate exceeded");
      case SERVER_ERROR -> Answer.error(version, 503, "Receiver", "ServiceUnavailable",
          "Service is unable to handle request.");
      case SCRIPTED -> Answer.error(version, AwsIamState.statusOf(f.code()),
          AwsIamState.statusOf(f.code()) >= 500 ? "Receiver" : "Sender", f.code(), "injected " + f.code());
    });
  }

  private Answer dispatch(String version, String action, Map<String, String> p, String account) {
    try {
      if (STS_VERSION.equals(version)) {
        return switch (action) {
          case "AssumeRole" -> ok(version, action, state.assumeRole(account, p));
          case "GetCallerIdentity" -> ok(version, action, state.callerIdentity(account));
          default -> Answer.error(version, 400, "Sender", "InvalidAction", "Could not find operation " + action
              + " for version " + version);
        };
      }
      if (!IAM_VERSION.equals(version)) {
        return Answer.error(version, 400, "Sender", "InvalidAction", "unknown Version " + version);
      }
      Account a = state.account(account);
      return switch (action) {
        case "GetRole" -> ok(version, action, a.getRole(p));
        case "GetRolePolicy" -> ok(version, action, a.getRolePolicy(p));
        case "PutRolePolicy" -> ok(version, action, a.putRolePolicy(p));
        case "DeleteRolePolicy" -> ok(version, action, a.deleteRolePolicy(p));
        case "ListRolePolicies" -> ok(version, action, a.listRolePolicies(p));
        case "UpdateAccessKey" -> ok(version, action, a.updateAccessKey(p));
        case "ListAccessKeys" -> ok(version, action, a.listAccessKeys(p));
        case "GetAccessKeyLastUsed" -> ok(version, action, a.getAccessKeyLastUsed(p));
        default -> Answer.error(version, 400, "Sender", "InvalidAction", "Could not find operation " + action
            + " for version " + version);
      };
    } catch (AwsIamState.ApiError e) {
      return Answer.error(version, e.status, e.status >= 500 ? "Receiver" : "Sender", e.code, e.getMessage());
    }
  }

  private static Answer ok(String version, String action, String result) {
    String requestId = UUID.randomUUID().toString();
    String xml = "<" + action + "Response xmlns=\"" + namespace(version) + "\">"
        + (result == null ? "" : "<" + action + "Result>" + result + "</" + action + "Result>")
        + "<ResponseMetadata><RequestId>" + requestId + "</RequestId></ResponseMetadata></" + action + "Response>";
    return new Answer(200, xml, requestId);
  }

  private static String namespace(String version) {
    return STS_VERSION.equals(version) ? "https://sts.amazonaws.com/doc/2011-06-15/"
        : "https://iam.amazonaws.com/doc/2010-05-08/";
  }

  private record Answer(int status, String xml, String requestId) {
    static Answer error(String version, int status, String type, String code, String message) {
      String requestId = UUID.randomUUID().toString();
      return new Answer(status, "<ErrorResponse xmlns=\"" + namespace(version) + "\"><Error><Type>" + type
          + "</Type><Code>" + code + "</Code><Message>" + AwsIamState.xml(message) + "</Message></Error><RequestId>"
          + requestId + "</RequestId></ErrorResponse>", requestId);
    }
  }

  private static String accessKey(String authorization) {
    if (authorization == null) {
      return null;
    }
    Matcher m = CREDENTIAL.matcher(authorization);
    return m.find() ? m.group(1) : null;
  }

  private static Map<String, String> form(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    if (body == null || body.isEmpty()) {
      return out;
    }
    for (String pair : body.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }
}
