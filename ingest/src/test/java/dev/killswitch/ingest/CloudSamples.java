package dev.killswitch.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.killswitch.schemas.Json;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Cloud audit records for which no public sample exists (see fixtures/PROVENANCE.md), built by hand from the
 * reference documentation, not captured from an account:
 * <ul>
 *   <li>the CloudTrail record contents (docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
 *       and userIdentity element (.../cloudtrail-event-reference-user-identity.html: type {@code WebIdentityUser}
 *       with {@code userName} and {@code identityProvider});</li>
 *   <li>STS AssumeRoleWithWebIdentity (docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRoleWithWebIdentity.html):
 *       request RoleArn/RoleSessionName/DurationSeconds, response Credentials, SubjectFromWebIdentityToken,
 *       AssumedRoleUser, Provider, Audience; GitHub's OIDC subject {@code repo:<owner>/<repo>:ref:<ref>} and
 *       issuer {@code token.actions.githubusercontent.com} (docs.github.com, "Configuring OpenID Connect in
 *       Amazon Web Services"); EKS IRSA's issuer {@code oidc.eks.<region>.amazonaws.com/id/<id>} and subject
 *       {@code system:serviceaccount:<namespace>:<name>} (docs.aws.amazon.com/eks/latest/userguide/iam-roles-for-service-accounts.html);</li>
 *   <li>IAM CreateAccessKey (docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html): the
 *       response's AccessKey with AccessKeyId, Status, UserName, CreateDate and SecretAccessKey;</li>
 *   <li>Cloud Audit Logs {@code LogEntry} and {@code AuditLog} (cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog)
 *       and IAM {@code projects.serviceAccounts.keys.create} (cloud.google.com/iam/docs/reference/rest/v1/projects.serviceAccounts.keys):
 *       the ServiceAccountKey response with {@code name} and {@code privateKeyData}.</li>
 * </ul>
 * The credentials' secret halves (SecretAccessKey, SessionToken, private key data) are made-up values put
 * where the API responses carry them, so that the tests can prove they never reach Kafka: CloudTrail itself
 * logs the session token of STS calls (the shared sts AssumeRole fixture shows one) and is not documented to
 * log the others; the samples carry them anyway, as a hostile record would. Account ids, key ids and names
 * follow AWS's and Google's documentation placeholders.
 */
public final class CloudSamples {

  public static final String ACCOUNT = "111122223333";
  public static final String SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzKsEXAMPLEKEY";
  public static final String NEW_KEY_SECRET = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEYnew";
  /** Shaped like an STS session token (the real ones start with IQoJb3JpZ2lu), not one. */
  public static final String SESSION_TOKEN =
      "IQoJb3JpZ2luX2VjEXAMPLEtokenForKillswitchTestsOnlyAAAABBBBCCCCDDDDEEEEFFFF0123456789+/abcdEXAMPLE==";
  public static final String GITHUB_SUB = "repo:octo-org/octo-repo:ref:refs/heads/main";
  public static final String GITHUB_SESSION_KEY = "ASIAGHOIDCEXAMPLE0001";
  public static final String IRSA_ISSUER_ID = "EXAMPLED539D4633E53DE1B71EXAMPLE";
  public static final String IRSA_SESSION_KEY = "ASIAIRSAEXAMPLE00002";
  public static final String NEW_ACCESS_KEY = "AKIAIOSFODNN7NEWKEY1";
  public static final String GCP_KEY_ID = "3f2a9c1b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a";
  public static final String PRIVATE_KEY_DATA =
      "ewogICJ0eXBlIjogInNlcnZpY2VfYWNjb3VudCIsCiAgInByaXZhdGVfa2V5IjogIi0tLS0tQkVHSU4gUFJJVkFURSBLRVktLS0tLVxu";

  /** A GitHub Actions job (configure-aws-credentials) federates into role gha-deploy. */
  public static final String GITHUB_OIDC_ASSUME_ROLE_WITH_WEB_IDENTITY = """
      {
        "eventVersion": "1.08",
        "userIdentity": {
          "type": "WebIdentityUser",
          "principalId": "arn:aws:iam::%1$s:oidc-provider/token.actions.githubusercontent.com:sts.amazonaws.com:%2$s",
          "userName": "%2$s",
          "identityProvider": "arn:aws:iam::%1$s:oidc-provider/token.actions.githubusercontent.com"
        },
        "eventTime": "2025-03-14T09:22:41Z",
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRoleWithWebIdentity",
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.24",
        "userAgent": "aws-sdk-js/3.614.0 configure-aws-credentials-for-github-actions",
        "requestParameters": {
          "roleArn": "arn:aws:iam::%1$s:role/gha-deploy",
          "roleSessionName": "GitHubActions",
          "durationSeconds": 3600
        },
        "responseElements": {
          "credentials": {
            "accessKeyId": "%3$s",
            "secretAccessKey": "%4$s",
            "sessionToken": "%5$s",
            "expiration": "Mar 14, 2025, 10:22:41 AM"
          },
          "subjectFromWebIdentityToken": "%2$s",
          "assumedRoleUser": {
            "assumedRoleId": "AROAEXAMPLEROLEID0001:GitHubActions",
            "arn": "arn:aws:sts::%1$s:assumed-role/gha-deploy/GitHubActions"
          },
          "provider": "arn:aws:iam::%1$s:oidc-provider/token.actions.githubusercontent.com",
          "audience": "sts.amazonaws.com"
        },
        "requestID": "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a",
        "eventID": "5c3b1a6e-9f2d-4e7a-b8c0-1d2e3f4a5b6c",
        "readOnly": true,
        "resources": [{"accountId": "%1$s", "type": "AWS::IAM::Role", "ARN": "arn:aws:iam::%1$s:role/gha-deploy"}],
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "%1$s",
        "eventCategory": "Management"
      }
      """.formatted(ACCOUNT, GITHUB_SUB, GITHUB_SESSION_KEY, SECRET_ACCESS_KEY, SESSION_TOKEN);

  /** A pod of service account payments/billing-api assumes its IRSA role through the AWS SDK. */
  public static final String IRSA_ASSUME_ROLE_WITH_WEB_IDENTITY = """
      {
        "eventVersion": "1.08",
        "userIdentity": {
          "type": "WebIdentityUser",
          "principalId": "arn:aws:iam::%1$s:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/%2$s:sts.amazonaws.com:system:serviceaccount:payments:billing-api",
          "userName": "system:serviceaccount:payments:billing-api",
          "identityProvider": "arn:aws:iam::%1$s:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/%2$s"
        },
        "eventTime": "2025-03-14T09:30:02Z",
        "eventSource": "sts.amazonaws.com",
        "eventName": "AssumeRoleWithWebIdentity",
        "awsRegion": "us-west-2",
        "sourceIPAddress": "192.0.2.15",
        "userAgent": "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 api/sts#1.30.3",
        "requestParameters": {
          "roleArn": "arn:aws:iam::%1$s:role/payments/billing-api-irsa",
          "roleSessionName": "1710408602123456789",
          "durationSeconds": 86400
        },
        "responseElements": {
          "credentials": {
            "accessKeyId": "%3$s",
            "sessionToken": "%4$s",
            "expiration": "Mar 15, 2025, 9:30:02 AM"
          },
          "subjectFromWebIdentityToken": "system:serviceaccount:payments:billing-api",
          "assumedRoleUser": {
            "assumedRoleId": "AROAEXAMPLEROLEID0002:1710408602123456789",
            "arn": "arn:aws:sts::%1$s:assumed-role/billing-api-irsa/1710408602123456789"
          },
          "provider": "arn:aws:iam::%1$s:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/%2$s",
          "audience": "sts.amazonaws.com"
        },
        "requestID": "5d1c7a3e-0b9f-4e28-9a64-2c8e1f7d3b50",
        "eventID": "9e4f2b7a-1c3d-4e5f-8a9b-0c1d2e3f4a5b",
        "readOnly": true,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "%1$s",
        "eventCategory": "Management"
      }
      """.formatted(ACCOUNT, IRSA_ISSUER_ID, IRSA_SESSION_KEY, SESSION_TOKEN);

  /** The GitHub session above creates a long-lived key for IAM user legacy-deployer. */
  public static final String CREATE_ACCESS_KEY = """
      {
        "eventVersion": "1.08",
        "userIdentity": {
          "type": "AssumedRole",
          "principalId": "AROAEXAMPLEROLEID0001:GitHubActions",
          "arn": "arn:aws:sts::%1$s:assumed-role/gha-deploy/GitHubActions",
          "accountId": "%1$s",
          "accessKeyId": "%2$s",
          "sessionContext": {
            "sessionIssuer": {
              "type": "Role",
              "principalId": "AROAEXAMPLEROLEID0001",
              "arn": "arn:aws:iam::%1$s:role/gha-deploy",
              "accountId": "%1$s",
              "userName": "gha-deploy"
            },
            "webIdFederationData": {
              "federatedProvider": "arn:aws:iam::%1$s:oidc-provider/token.actions.githubusercontent.com",
              "attributes": {}
            },
            "attributes": {"creationDate": "2025-03-14T09:22:41Z", "mfaAuthenticated": "false"}
          }
        },
        "eventTime": "2025-03-14T09:24:10Z",
        "eventSource": "iam.amazonaws.com",
        "eventName": "CreateAccessKey",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.24",
        "userAgent": "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1025-azure exe/x86_64.ubuntu.22",
        "requestParameters": {"userName": "legacy-deployer"},
        "responseElements": {
          "accessKey": {
            "accessKeyId": "%3$s",
            "status": "Active",
            "userName": "legacy-deployer",
            "createDate": "Mar 14, 2025, 9:24:10 AM",
            "secretAccessKey": "%4$s"
          }
        },
        "requestID": "7c6b5a49-3827-4160-a5f4-e3d2c1b0a998",
        "eventID": "2b8e4c1d-7f3a-4d9e-b6a5-c4d3e2f1a0b9",
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "%1$s",
        "eventCategory": "Management"
      }
      """.formatted(ACCOUNT, GITHUB_SESSION_KEY, NEW_ACCESS_KEY, NEW_KEY_SECRET);

  /** A federated deployer service account (impersonated by a GitHub workload) creates a key for backup-writer. */
  public static final String GCP_CREATE_SERVICE_ACCOUNT_KEY = """
      {
        "insertId": "1x7b2kfe8q3l",
        "logName": "projects/acme-prod/logs/cloudaudit.googleapis.com%%2Factivity",
        "protoPayload": {
          "@type": "type.googleapis.com/google.cloud.audit.AuditLog",
          "status": {},
          "authenticationInfo": {
            "principalEmail": "deployer@acme-prod.iam.gserviceaccount.com",
            "serviceAccountDelegationInfo": [
              {"principalSubject": "principal://iam.googleapis.com/projects/987654321098/locations/global/workloadIdentityPools/github/subject/repo:acme/app:ref:refs/heads/main"}
            ],
            "principalSubject": "serviceAccount:deployer@acme-prod.iam.gserviceaccount.com"
          },
          "requestMetadata": {
            "callerIp": "198.51.100.24",
            "callerSuppliedUserAgent": "google-cloud-sdk gcloud/470.0.0 command/gcloud.iam.service-accounts.keys.create",
            "requestAttributes": {"time": "2025-03-14T09:25:11.402113Z", "auth": {}},
            "destinationAttributes": {}
          },
          "serviceName": "iam.googleapis.com",
          "methodName": "google.iam.admin.v1.CreateServiceAccountKey",
          "authorizationInfo": [
            {"resource": "projects/-/serviceAccounts/112233445566778899002", "permission": "iam.serviceAccountKeys.create",
             "granted": true, "resourceAttributes": {}}
          ],
          "resourceName": "projects/-/serviceAccounts/112233445566778899002",
          "request": {
            "@type": "type.googleapis.com/google.iam.admin.v1.CreateServiceAccountKeyRequest",
            "name": "projects/-/serviceAccounts/backup-writer@acme-prod.iam.gserviceaccount.com",
            "private_key_type": 2
          },
          "response": {
            "@type": "type.googleapis.com/google.iam.admin.v1.ServiceAccountKey",
            "name": "projects/acme-prod/serviceAccounts/backup-writer@acme-prod.iam.gserviceaccount.com/keys/%1$s",
            "valid_after_time": {"seconds": 1710408311},
            "valid_before_time": {"seconds": 253402300799},
            "key_algorithm": 2,
            "private_key_type": 2,
            "private_key_data": "%2$s"
          }
        },
        "resource": {
          "type": "service_account",
          "labels": {
            "email_id": "backup-writer@acme-prod.iam.gserviceaccount.com",
            "project_id": "acme-prod",
            "unique_id": "112233445566778899002"
          }
        },
        "timestamp": "2025-03-14T09:25:11.398227Z",
        "severity": "NOTICE",
        "receiveTimestamp": "2025-03-14T09:25:12.116490Z"
      }
      """.formatted(GCP_KEY_ID, PRIVATE_KEY_DATA);

  private CloudSamples() {}

  public static JsonNode json(String sample) {
    try {
      return Json.mapper().readTree(sample);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
