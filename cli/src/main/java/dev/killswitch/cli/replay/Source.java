package dev.killswitch.cli.replay;

/** The ingest path a recording goes to, and how that path authenticates. */
public enum Source {
  GITHUB("/v1/ingest/github", "GitHub webhook (signed with the GitHub secret)"),
  GITLAB("/v1/ingest/gitlab", "GitLab webhook (X-Gitlab-Token)"),
  K8S_AUDIT("/v1/ingest/k8s-audit/{cluster}", "Kubernetes audit (ingest token)"),
  CLOUDTRAIL("/v1/ingest/aws/cloudtrail", "AWS CloudTrail (ingest token)"),
  GCP_AUDIT("/v1/ingest/gcp/audit", "GCP audit log (ingest token)"),
  CLOUDEVENTS("/v1/ingest/cloudevents", "CloudEvents (ingest token)");

  private final String path;
  private final String description;

  Source(String path, String description) {
    this.path = path;
    this.description = description;
  }

  public String path() {
    return path;
  }

  public String description() {
    return description;
  }

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
