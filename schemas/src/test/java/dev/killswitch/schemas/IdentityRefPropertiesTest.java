package dev.killswitch.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.arbitraries.StringArbitrary;

/**
 * Properties of the identity-reference grammar: every valid reference survives format and parse, and no input
 * makes the parser fail with anything but {@link InvalidIdentityRefException}.
 *
 * <p>The generators follow each part's rules: scopes of Kubernetes, AWS and GCP nodes hold neither ':' nor '/';
 * ids and names hold no '/'; free-form subjects (Kubernetes usernames, OIDC subs, CDEvents subject ids, WIF
 * subjects) hold anything but white space and control characters; all of them include unicode.
 */
class IdentityRefPropertiesTest {

  @Property(tries = 2000)
  void everyValidReferenceSurvivesFormatAndParse(@ForAll("references") IdentityRef ref) {
    assertThat(IdentityRef.parse(ref.toString())).isEqualTo(ref);
  }

  @Property(tries = 2000)
  void theCanonicalTextIsStable(@ForAll("references") IdentityRef ref) {
    String text = ref.toString();
    assertThat(IdentityRef.parse(text).toString()).isEqualTo(text);
  }

  @Property(tries = 3000)
  void arbitraryTextIsEitherACanonicalReferenceOrRejectedWithTheGrammarException(@ForAll String text) {
    parsesCanonicallyOrRejects(text);
  }

  @Property(tries = 5000)
  void textMadeOfGrammarFragmentsIsEitherACanonicalReferenceOrRejected(@ForAll("fragments") String text) {
    parsesCanonicallyOrRejects(text);
  }

  @Property(tries = 5000)
  void aValidReferenceWithAFragmentSplicedInIsEitherCanonicalOrRejected(@ForAll("mutants") String text) {
    parsesCanonicallyOrRejects(text);
  }

  /** One string per node: when text parses, formatting the result gives the same text back. */
  private static void parsesCanonicallyOrRejects(String text) {
    IdentityRef ref;
    try {
      ref = IdentityRef.parse(text);
    } catch (InvalidIdentityRefException e) {
      assertThat(e.getMessage()).startsWith("invalid identity reference");
      assertThat(e.problem()).isNotBlank();
      return;
    }
    assertThat(ref.toString()).isEqualTo(text);
  }

  // ---- generators ----

  @Provide
  Arbitrary<IdentityRef> references() {
    return Arbitraries.oneOf(
        Combinators.combine(segment(), segment(), id()).as((o, r, id) -> IdentityRef.githubRun(o + "/" + r, id)),
        Combinators.combine(segment(), segment(), id()).as((o, r, id) -> IdentityRef.githubJob(o + "/" + r, id)),
        Combinators.combine(gitlabProject(), id()).as(IdentityRef::gitlabPipeline),
        Combinators.combine(gitlabProject(), id()).as(IdentityRef::gitlabJob),
        Combinators.combine(free(), free()).as(IdentityRef::cdeventsRun),
        Combinators.combine(issuerHost(), free()).as(IdentityRef::oidcSubject),
        Combinators.combine(scope(), free()).as(IdentityRef::k8sUser),
        Combinators.combine(scope(), id(), id()).as(IdentityRef::k8sServiceAccount),
        Combinators.combine(scope(), id()).as(IdentityRef::k8sToken),
        Combinators.combine(scope(), id(), id()).as(IdentityRef::k8sSecretToken),
        Combinators.combine(scope(), id(), id()).as(IdentityRef::k8sPod),
        Combinators.combine(scope(), id().injectNull(0.2), id()).as(IdentityRef::k8sBinding),
        Combinators.combine(scope(), id()).as(IdentityRef::awsRole),
        Combinators.combine(scope(), id()).as(IdentityRef::awsUser),
        Combinators.combine(scope(), id()).as(IdentityRef::awsAccessKey),
        Combinators.combine(scope(), id()).as(IdentityRef::awsSession),
        Combinators.combine(scope(), id()).as(IdentityRef::gcpServiceAccount),
        Combinators.combine(scope(), id(), id()).as(IdentityRef::gcpServiceAccountKey),
        Combinators.combine(segment(), segment(), segment(), free()).as((project, location, pool, subject) ->
            IdentityRef.gcpWifPrincipal(
                "projects/" + project + "/locations/" + location + "/workloadIdentityPools/" + pool, subject)));
  }

  /** Letters, digits, punctuation, latin, greek, CJK and an astral emoji; never white space or control. */
  private static StringArbitrary chars() {
    return Arbitraries.strings()
        .withCharRange('!', '~')
        .withCharRange('\u00a1', '\u024f')
        .withCharRange('\u0391', '\u03c9')
        .withCharRange('\u4e00', '\u4e3f')
        .withChars('\u00e9', '\u00df', '\ud83d', '\ude00')
        .ofMinLength(1)
        .ofMaxLength(14);
  }

  /** Anything but white space or control characters, including ':', '/' and '%'. */
  private static Arbitrary<String> free() {
    return Arbitraries.oneOf(chars(), chars().map(s -> s + "/" + s), Arbitraries.of(
        "repo:acme/app:ref:refs/heads/main", "system:serviceaccount:ci:deployer", "a%2Fb", "%", "/", "//", "%25"));
  }

  /** A scope of Kubernetes, AWS and GCP nodes: no ':' and no '/'. */
  private static Arbitrary<String> scope() {
    return chars().excludeChars(':', '/');
  }

  /** An id, name or path segment: no '/' (':' is allowed). */
  private static Arbitrary<String> id() {
    return chars().excludeChars('/');
  }

  private static Arbitrary<String> segment() {
    return id();
  }

  private static Arbitrary<String> issuerHost() {
    return Arbitraries.oneOf(id(), id().map(h -> h + ":8443"));
  }

  private static Arbitrary<String> gitlabProject() {
    return segment().list().ofMinSize(2).ofMaxSize(5).map(list -> String.join("/", list));
  }

  /** Concatenations of the grammar's literals and awkward characters, to reach every branch of the parser. */
  @Provide
  Arbitrary<String> fragments() {
    return fragment().list().ofMinSize(1).ofMaxSize(6).map(list -> String.join("", list));
  }

  /** A valid reference's text with a fragment inserted at, or replacing the text from, some position. */
  @Provide
  Arbitrary<String> mutants() {
    return Combinators.combine(references().map(IdentityRef::toString), fragment(),
            Arbitraries.doubles().between(0, 1), Arbitraries.of(true, false))
        .as((text, fragment, where, replace) -> {
          int at = (int) Math.floor(where * text.length());
          String tail = replace ? text.substring(Math.min(text.length(), at + fragment.length())) : text.substring(at);
          return text.substring(0, at) + fragment + tail;
        });
  }

  private static Arbitrary<String> fragment() {
    return Arbitraries.oneOf(
        Arbitraries.of("ci:github:", "ci:gitlab:", "ci:cdevents:", "oidc:", "k8s:", "aws:", "gcp:", "gcp:wif/",
            "ci:cdevents:/src/", "oidc:host:8443/", "k8s:prod:", "ci:github:acme/app/", "ci:gitlab:gitlab.com/g/",
            "ci:", "runs", "jobs", "pipelines", "user", "sa", "sa-key", "token", "secret-token", "pod", "binding",
            "role", "access-key", "session", "_cluster", "projects/", "locations/", "workloadIdentityPools/",
            "/", "//", ":", "::", "%", "%2F", "%2f", "%25", "%2", " ", "\t", "\u0000", "': ", "\ud83d\ude00", "\ud83d"),
        chars());
  }
}
