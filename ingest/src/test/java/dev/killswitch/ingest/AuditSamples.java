package dev.killswitch.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Audit events for which no public sample exists, built by hand from the Kubernetes reference documentation,
 * not captured from a cluster:
 * <ul>
 *   <li>audit.k8s.io/v1 {@code Event} (kubernetes.io/docs/reference/config-api/apiserver-audit.v1/) for the
 *       envelope fields;</li>
 *   <li>TokenRequest, authentication.k8s.io/v1 (kubernetes.io/docs/reference/kubernetes-api/authentication-resources/token-request-v1/)
 *       for the {@code serviceaccounts/token} subresource, its request and response objects;</li>
 *   <li>the audit annotation {@code authentication.kubernetes.io/issued-credential-id} ("JTI=&lt;uuid&gt;") and
 *       the user.extra keys {@code authentication.kubernetes.io/credential-id}, {@code pod-name}, {@code pod-uid},
 *       {@code node-name}, {@code node-uid} of bound service-account tokens (kubernetes.io/docs/reference/access-authn-authz/service-accounts-admin/,
 *       "Bound service account tokens" and kubernetes.io/docs/reference/labels-annotations-taints/audit-annotations/);</li>
 *   <li>structured authentication's claim mappings, which put {@code killswitch.dev/ci-run} into user.extra
 *       (kubernetes.io/docs/reference/access-authn-authz/authentication/#using-authentication-configuration).</li>
 * </ul>
 * The token value in the TokenRequest response is a made-up JWT-shaped string; it is there to prove redaction.
 */
public final class AuditSamples {

  public static final String RUN = "ci:github:acme/app/runs/9876543210";
  public static final String ISSUED_JTI = "6a0d8e07-4b0f-4c4e-9a51-2f1c07a3d1b9";
  public static final String TOKEN_VALUE =
      "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtzLTEifQ.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6Y2k6ZGVwbG95ZXIifQ.c2lnbmF0dXJlLW5vdC1yZWFs";

  /** A CI job, authenticated through structured OIDC authentication, asks for a token of SA ci/deployer. */
  public static final String TOKEN_REQUEST = """
      {
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "RequestResponse",
        "auditID": "1f5e9c1a-2a4e-4d0b-8f3c-0b6f6a3c9e11",
        "stage": "ResponseComplete",
        "requestURI": "/api/v1/namespaces/ci/serviceaccounts/deployer/token",
        "verb": "create",
        "user": {
          "username": "github:repo:acme/app:ref:refs/heads/main",
          "groups": ["github:acme", "system:authenticated"],
          "extra": {
            "killswitch.dev/ci-run": ["ci:github:acme/app/runs/9876543210"]
          }
        },
        "sourceIPs": ["203.0.113.7"],
        "userAgent": "kubectl/v1.31.0 (linux/amd64) kubernetes/9edcffc",
        "objectRef": {
          "resource": "serviceaccounts",
          "namespace": "ci",
          "name": "deployer",
          "apiVersion": "v1",
          "subresource": "token"
        },
        "responseStatus": {"metadata": {}, "code": 201},
        "requestObject": {
          "kind": "TokenRequest",
          "apiVersion": "authentication.k8s.io/v1",
          "metadata": {"creationTimestamp": null},
          "spec": {"audiences": null, "expirationSeconds": 600, "boundObjectRef": null},
          "status": {"token": "", "expirationTimestamp": null}
        },
        "responseObject": {
          "kind": "TokenRequest",
          "apiVersion": "authentication.k8s.io/v1",
          "metadata": {"name": "deployer", "namespace": "ci", "creationTimestamp": "2025-03-04T10:15:30Z"},
          "spec": {"audiences": ["https://kubernetes.default.svc.cluster.local"], "expirationSeconds": 600,
                   "boundObjectRef": null},
          "status": {
            "token": "%s",
            "expirationTimestamp": "2025-03-04T10:25:30Z"
          }
        },
        "requestReceivedTimestamp": "2025-03-04T10:15:30.101234Z",
        "stageTimestamp": "2025-03-04T10:15:30.108765Z",
        "annotations": {
          "authorization.k8s.io/decision": "allow",
          "authorization.k8s.io/reason": "RBAC: allowed by RoleBinding \\"ci-token-minter/ci\\" of Role \\"token-minter\\" to User \\"github:repo:acme/app:ref:refs/heads/main\\"",
          "authentication.kubernetes.io/issued-credential-id": "JTI=%s"
        }
      }
      """.formatted(TOKEN_VALUE, ISSUED_JTI);

  /** The token issued above, bound to a pod, reads a Secret. */
  public static final String SECRET_READ_WITH_BOUND_TOKEN = """
      {
        "kind": "Event",
        "apiVersion": "audit.k8s.io/v1",
        "level": "Metadata",
        "auditID": "8c3d0f42-6f0e-4a57-9d7a-3f2b1e0c4d55",
        "stage": "ResponseComplete",
        "requestURI": "/api/v1/namespaces/ci/secrets/deploy-key",
        "verb": "get",
        "user": {
          "username": "system:serviceaccount:ci:deployer",
          "uid": "0d6d2d4c-9d3e-4bb1-8e1a-7c2f4d9b1a20",
          "groups": ["system:serviceaccounts", "system:serviceaccounts:ci", "system:authenticated"],
          "extra": {
            "authentication.kubernetes.io/credential-id": ["JTI=%s"],
            "authentication.kubernetes.io/node-name": ["worker-2"],
            "authentication.kubernetes.io/node-uid": ["2b0e6f3a-55c1-4c9e-8f61-0e8d7b2c4a19"],
            "authentication.kubernetes.io/pod-name": ["deploy-7d4b9c-xk2lp"],
            "authentication.kubernetes.io/pod-uid": ["a9f1c3e2-7b4d-4e6a-9c2f-1d3e5b7a9c0e"]
          }
        },
        "sourceIPs": ["10.244.2.17"],
        "userAgent": "deployer/1.4.2",
        "objectRef": {"resource": "secrets", "namespace": "ci", "name": "deploy-key", "apiVersion": "v1"},
        "responseStatus": {"metadata": {}, "code": 200},
        "requestReceivedTimestamp": "2025-03-04T10:16:02.500000Z",
        "stageTimestamp": "2025-03-04T10:16:02.503000Z",
        "annotations": {
          "authorization.k8s.io/decision": "allow",
          "authorization.k8s.io/reason": "RBAC: allowed by RoleBinding \\"deployer/ci\\" of Role \\"deployer\\" to ServiceAccount \\"deployer/ci\\""
        }
      }
      """.formatted(ISSUED_JTI);

  private AuditSamples() {}

  public static JsonNode json(String text) {
    try {
      return Json.mapper().readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
