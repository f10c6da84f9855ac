package dev.killswitch.testkit.fakes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The IAM fake on the wire, without an SDK: form-encoded Query API requests in, the documented XML shapes out
 * (results wrapped in {@code <Action>Response><Action>Result>}, policy documents percent-encoded as RFC 3986 says,
 * errors as {@code <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>} with their HTTP status).
 */
class FakeAwsIamIT {

  static final String ACCOUNT = FakeAwsIam.DEFAULT_HOME_ACCOUNT;
  FakeAwsIam iam;
  HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    iam = FakeAwsIam.start();
  }

  @AfterEach
  void stop() {
    iam.close();
  }

  HttpResponse<String> post(String accessKey, String form) throws Exception {
    return http.send(HttpRequest.newBuilder(iam.endpoint().resolve("/"))
        .header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=" + accessKey + "/20260301/us-east-1/iam/aws4_request, "
            + "SignedHeaders=host, Signature=0")
        .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
  }

  String home() {
    return iam.homeCredentials().accessKeyId();
  }

  static String el(String xml, String name) {
    Matcher m = Pattern.compile("<" + name + ">([^<]*)</" + name + ">").matcher(xml);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void answersTheDocumentedGetRoleShape() throws Exception {
    AwsIamState.Role role = iam.addRole(ACCOUNT, "deploy", "/ci/", 7200);

    HttpResponse<String> r = post(home(), "Action=GetRole&Version=2010-05-08&RoleName=deploy");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).contains("text/xml");
    assertThat(r.body()).startsWith("<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><GetRoleResult><Role>")
        .endsWith("</RequestId></ResponseMetadata></GetRoleResponse>");
    assertThat(el(r.body(), "RoleId")).isEqualTo(role.roleId()).matches("AROA[A-Z2-7]{17}");
    assertThat(el(r.body(), "Path")).isEqualTo("/ci/");
    assertThat(el(r.body(), "Arn")).isEqualTo("arn:aws:iam::" + ACCOUNT + ":role/ci/deploy");
    assertThat(el(r.body(), "MaxSessionDuration")).isEqualTo("7200");
  }

  @Test
  void returnsInlinePoliciesPercentEncodedAndChecksTheirGrammar() throws Exception {
    iam.addRole(ACCOUNT, "deploy", "/");
    String doc = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"A1\",\"Effect\":\"Deny\",\"Action\":\"*\","
        + "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:userid\":[\"AROAX:a b\"]}}}]}";
    assertThat(post(home(), "Action=PutRolePolicy&Version=2010-05-08&RoleName=deploy&PolicyName=P&PolicyDocument="
        + URLEncoder.encode(doc, StandardCharsets.UTF_8)).statusCode()).isEqualTo(200);

    String body = post(home(), "Action=GetRolePolicy&Version=2010-05-08&RoleName=deploy&PolicyName=P").body();

    String encoded = el(body, "PolicyDocument");
    assertThat(encoded).startsWith("%7B%22Version%22").contains("%20").doesNotContain("+");
    assertThat(URLDecoder.decode(encoded, StandardCharsets.UTF_8)).isEqualTo(doc);

    HttpResponse<String> badSid = post(home(), "Action=PutRolePolicy&Version=2010-05-08&RoleName=deploy&PolicyName=Q"
        + "&PolicyDocument=" + URLEncoder.encode(doc.replace("A1", "a-1"), StandardCharsets.UTF_8));
    assertThat(badSid.statusCode()).isEqualTo(400);
    assertThat(el(badSid.body(), "Code")).isEqualTo("MalformedPolicyDocument");
  }

  @Test
  void answersErrorsInTheAwsErrorShapeWithTheirStatus() throws Exception {
    HttpResponse<String> missing = post(home(), "Action=GetRole&Version=2010-05-08&RoleName=nobody");
    HttpResponse<String> stranger = post("AKIAUNKNOWN000000000", "Action=GetRole&Version=2010-05-08&RoleName=x");
    iam.faults().failNext("GetRole", "Throttling", 1);
    HttpResponse<String> throttled = post(home(), "Action=GetRole&Version=2010-05-08&RoleName=nobody");

    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.body()).startsWith("<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error>"
        + "<Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name nobody cannot be found.</Message>"
        + "</Error><RequestId>");
    assertThat(stranger.statusCode()).isEqualTo(403);
    assertThat(el(stranger.body(), "Code")).isEqualTo("InvalidClientTokenId");
    assertThat(throttled.statusCode()).isEqualTo(400);
    assertThat(el(throttled.body(), "Code")).isEqualTo("Throttling");
    assertThat(iam.calls("GetRole")).extracting(FakeAwsIam.Call::status).containsExactly(404, 403, 400);
  }

  @Test
  void stsSessionsActInTheAccountOfTheAssumedRole() throws Exception {
    iam.addRole("222222222222", "killswitch", "/");
    iam.requireExternalId("222222222222", "killswitch", "ext");
    String assume = "Action=AssumeRole&Version=2011-06-15&RoleArn="
        + URLEncoder.encode("arn:aws:iam::222222222222:role/killswitch", StandardCharsets.UTF_8)
        + "&RoleSessionName=killswitch-revoker";

    HttpResponse<String> refused = post(home(), assume + "&ExternalId=wrong");
    HttpResponse<String> ok = post(home(), assume + "&ExternalId=ext");

    assertThat(refused.statusCode()).isEqualTo(403);
    assertThat(el(refused.body(), "Code")).isEqualTo("AccessDenied");
    assertThat(ok.body()).startsWith("<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">");
    String sessionKey = el(ok.body(), "AccessKeyId");
    assertThat(sessionKey).startsWith("ASIA");
    assertThat(el(ok.body(), "AssumedRoleId")).endsWith(":killswitch-revoker");
    assertThat(el(post(sessionKey, "Action=GetCallerIdentity&Version=2011-06-15").body(), "Account"))
        .isEqualTo("222222222222");
  }
}
