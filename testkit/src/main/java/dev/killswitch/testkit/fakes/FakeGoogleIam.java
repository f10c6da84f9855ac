package dev.killswitch.testkit.fakes;

import com.google.iam.admin.v1.DisableServiceAccountKeyRequest;
import com.google.iam.admin.v1.DisableServiceAccountRequest;
import com.google.iam.admin.v1.EnableServiceAccountKeyRequest;
import com.google.iam.admin.v1.EnableServiceAccountRequest;
import com.google.iam.admin.v1.GetServiceAccountKeyRequest;
import com.google.iam.admin.v1.GetServiceAccountRequest;
import com.google.iam.admin.v1.ServiceAccount;
import com.google.iam.admin.v1.ServiceAccountKey;
import com.google.iam.v2.CreatePolicyRequest;
import com.google.iam.v2.DeletePolicyRequest;
import com.google.iam.v2.GetPolicyRequest;
import com.google.iam.v2.ListPoliciesRequest;
import com.google.iam.v2.ListPoliciesResponse;
import com.google.iam.v2.Policy;
import com.google.iam.v2.UpdatePolicyRequest;
import com.google.longrunning.Operation;
import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCalls;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * In-process gRPC fakes of Google's IAM Admin v1 ({@code google.iam.admin.v1.IAM}: GetServiceAccount,
 * DisableServiceAccount, EnableServiceAccount, GetServiceAccountKey, DisableServiceAccountKey,
 * EnableServiceAccountKey) and IAM v2 ({@code google.iam.v2.Policies}: GetPolicy, ListPolicies, CreatePolicy,
 * UpdatePolicy, DeletePolicy, the last three answering long-running operations that are already done), for the
 * real {@code IAMClient} and {@code PoliciesClient} on an in-process channel.
 *
 * <p>The services are defined here from the method names and the protobuf messages of
 * {@code proto-google-iam-admin-v1} and {@code proto-google-iam-v2} (no generated service stubs: the
 * {@code grpc-google-iam-admin-v1} artifact is not published for the release the client uses). State lives in
 * {@link GoogleIamState}: service accounts and keys with their disabled flag, deny policies with etags (a stale etag
 * answers ABORTED, as IAM does). Every call is recorded ({@link #calls()}); {@link #faults()} injects
 * {@code RESOURCE_EXHAUSTED} (throttle), {@code UNAVAILABLE} (server error), scripted status codes by method name
 * and latency.
 *
 * <p>Usable outside JUnit: {@code try (FakeGoogleIam gcp = FakeGoogleIam.start()) { ... gcp.serverName() ... }};
 * clients connect with {@code InProcessChannelBuilder.forName(gcp.serverName())}.
 */
public final class FakeGoogleIam implements AutoCloseable {

  public static final String IAM_SERVICE = "google.iam.admin.v1.IAM";
  public static final String POLICIES_SERVICE = "google.iam.v2.Policies";

  /** One recorded call: the method's short name, the resource name it was about, and the status it got. */
  public record Call(String method, String resource, Status.Code status) {}

  private final String name;
  private final Server server;
  private final GoogleIamState state = new GoogleIamState();
  private final Faults faults = new Faults();
  private final List<Call> calls = new CopyOnWriteArrayList<>();

  private FakeGoogleIam(String name) throws IOException {
    this.name = name;
    this.server = InProcessServerBuilder.forName(name).directExecutor()
        .addService(iamService()).addService(policiesService()).build().start();
  }

  /** Starts a fake under a fresh in-process server name. */
  public static FakeGoogleIam start() {
    return start("fake-google-iam-" + UUID.randomUUID());
  }

  public static FakeGoogleIam start(String serverName) {
    try {
      return new FakeGoogleIam(serverName);
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Google IAM fake", e);
    }
  }

  /** The in-process server name clients connect to. */
  public String serverName() {
    return name;
  }

  /** A plaintext in-process channel to this fake (the caller closes it). */
  public ManagedChannel channel() {
    return InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  public Faults faults() {
    return faults;
  }

  public GoogleIamState state() {
    return state;
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public List<Call> calls(String method) {
    return calls.stream().filter(c -> c.method().equals(method)).toList();
  }

  public void clearCalls() {
    calls.clear();
  }

  // ---- set-up shortcuts ----

  /** Adds an enabled service account. */
  public ServiceAccount addServiceAccount(String project, String email) {
    return state.addServiceAccount(project, email);
  }

  /** Adds an enabled user-managed key to an existing service account and answers its key id. */
  public String addKey(String project, String email) {
    return state.addKey(project, email);
  }

  public Optional<ServiceAccount> serviceAccount(String email) {
    return state.serviceAccount(email);
  }

  public Optional<ServiceAccountKey> key(String email, String keyId) {
    return state.key(email, keyId);
  }

  public Optional<Policy> denyPolicy(String policyName) {
    return state.policy(policyName);
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- services ----

  private ServerServiceDefinition iamService() {
    return ServerServiceDefinition.builder(IAM_SERVICE)
        .addMethod(unary(IAM_SERVICE, "GetServiceAccount", GetServiceAccountRequest.getDefaultInstance(),
            ServiceAccount.getDefaultInstance(), GetServiceAccountRequest::getName, r -> state.getServiceAccount(r)))
        .addMethod(unary(IAM_SERVICE, "DisableServiceAccount", DisableServiceAccountRequest.getDefaultInstance(),
            Empty.getDefaultInstance(), DisableServiceAccountRequest::getName,
            r -> state.setServiceAccountDisabled(r.getName(), true)))
        .addMethod(unary(IAM_SERVICE, "EnableServiceAccount", EnableServiceAccountRequest.getDefaultInstance(),
            Empty.getDefaultInstance(), EnableServiceAccountRequest::getName,
            r -> state.setServiceAccountDisabled(r.getName(), false)))
        .addMethod(unary(IAM_SERVICE, "GetServiceAccountKey", GetServiceAccountKeyRequest.getDefaultInstance(),
            ServiceAccountKey.getDefaultInstance(), GetServiceAccountKeyRequest::getName,
            r -> state.getKey(r.getName())))
        .addMethod(unary(IAM_SERVICE, "DisableServiceAccountKey",
            DisableServiceAccountKeyRequest.getDefaultInstance(), Empty.getDefaultInstance(),
            DisableServiceAccountKeyRequest::getName, r -> state.setKeyDisabled(r.getName(), true)))
        .addMethod(unary(IAM_SERVICE, "EnableServiceAccountKey", EnableServiceAccountKeyRequest.getDefaultInstance(),
            Empty.getDefaultInstance(), EnableServiceAccountKeyRequest::getName,
            r -> state.setKeyDisabled(r.getName(), false)))
        .build();
  }

  private ServerServiceDefinition policiesService() {
    return ServerServiceDefinition.builder(POLICIES_SERVICE)
        .addMethod(unary(POLICIES_SERVICE, "GetPolicy", GetPolicyRequest.getDefaultInstance(),
            Policy.getDefaultInstance(), GetPolicyRequest::getName, r -> state.getPolicy(r.getName())))
        .addMethod(unary(POLICIES_SERVICE, "ListPolicies", ListPoliciesRequest.getDefaultInstance(),
            ListPoliciesResponse.getDefaultInstance(), ListPoliciesRequest::getParent,
            r -> state.listPolicies(r.getParent())))
        .addMethod(unary(POLICIES_SERVICE, "CreatePolicy", CreatePolicyRequest.getDefaultInstance(),
            Operation.getDefaultInstance(), r -> r.getParent() + "/" + r.getPolicyId(),
            r -> GoogleIamState.done(state.createPolicy(r.getParent(), r.getPolicyId(), r.getPolicy()))))
        .addMethod(unary(POLICIES_SERVICE, "UpdatePolicy", UpdatePolicyRequest.getDefaultInstance(),
            Operation.getDefaultInstance(), r -> r.getPolicy().getName(),
            r -> GoogleIamState.done(state.updatePolicy(r.getPolicy()))))
        .addMethod(unary(POLICIES_SERVICE, "DeletePolicy", DeletePolicyRequest.getDefaultInstance(),
            Operation.getDefaultInstance(), DeletePolicyRequest::getName,
            r -> GoogleIamState.done(state.deletePolicy(r.getName(), r.getEtag()))))
        .build();
  }

  private <Q extends Message, A extends Message> io.grpc.ServerMethodDefinition<Q, A> unary(
      String service, String method, Q request, A response, Function<Q, String> resource, Function<Q, A> handler) {
    MethodDescriptor<Q, A> descriptor = MethodDescriptor.<Q, A>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, method))
        .setRequestMarshaller(ProtoUtils.marshaller(request))
        .setResponseMarshaller(ProtoUtils.marshaller(response))
        .build();
    return io.grpc.ServerMethodDefinition.create(descriptor, ServerCalls.asyncUnaryCall((req, observer) -> {
      Faults.sleep(faults.latency());
      String about = resource.apply(req);
      Optional<Faults.Fault> fault = faults.next(method);
      if (fault.isPresent()) {
        Status status = switch (fault.get().kind()) {
          case THROTTLE -> Status.RESOURCE_EXHAUSTED.withDescription("Quota exceeded (injected)");
          case SERVER_ERROR -> Status.UNAVAILABLE.withDescription("The service is currently unavailable (injected)");
          case SCRIPTED -> Status.fromCode(Status.Code.valueOf(fault.get().code()))
              .withDescription("injected " + fault.get().code());
        };
        calls.add(new Call(method, about, status.getCode()));
        observer.onError(status.asRuntimeException());
        return;
      }
      try {
        A answer = handler.apply(req);
        calls.add(new Call(method, about, Status.Code.OK));
        observer.onNext(answer);
        observer.onCompleted();
      } catch (StatusRuntimeException e) {
        calls.add(new Call(method, about, e.getStatus().getCode()));
        observer.onError(e);
      }
    }));
  }
}
