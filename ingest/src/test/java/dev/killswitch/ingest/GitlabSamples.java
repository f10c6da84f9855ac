package dev.killswitch.ingest;

/**
 * A GitLab Pipeline Hook. The shared fixtures hold no public Pipeline Hook sample, so this one is built by
 * hand after the example of GitLab's webhook documentation ("Pipeline events",
 * docs.gitlab.com/user/project/integrations/webhook_events/#pipeline-events), trimmed to the fields
 * Killswitch reads plus a pipeline variable that must not leave ingest.
 */
public final class GitlabSamples {

  public static final String VARIABLE_VALUE = "AKIAEXAMPLE/wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

  public static final String PIPELINE_SUCCESS = """
      {
        "object_kind": "pipeline",
        "object_attributes": {
          "id": 31,
          "iid": 3,
          "name": "Pipeline for branch: master",
          "ref": "master",
          "tag": false,
          "sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
          "before_sha": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
          "source": "merge_request_event",
          "status": "success",
          "detailed_status": "passed",
          "stages": ["build", "test", "deploy"],
          "created_at": "2016-08-12 15:23:28 UTC",
          "finished_at": "2016-08-12 15:26:29 UTC",
          "duration": 63,
          "queued_duration": 12,
          "variables": [{"key": "DEPLOY_CREDENTIALS", "value": "%s"}],
          "url": "http://example.com/gitlab-org/gitlab-test/-/pipelines/31"
        },
        "user": {"id": 1, "name": "Administrator", "username": "root", "email": "user_email@gitlab.com"},
        "project": {
          "id": 1,
          "name": "Gitlab Test",
          "web_url": "http://example.com/gitlab-org/gitlab-test",
          "namespace": "Gitlab Org",
          "path_with_namespace": "gitlab-org/gitlab-test",
          "default_branch": "master"
        },
        "commit": {
          "id": "bcbb5ec396a2c0f828686f14fac9b80b780504f2",
          "message": "test\\n",
          "timestamp": "2016-08-12T17:23:21+02:00",
          "url": "http://example.com/gitlab-org/gitlab-test/commit/bcbb5ec396a2c0f828686f14fac9b80b780504f2",
          "author": {"name": "User", "email": "user@gitlab.com"}
        },
        "builds": [
          {"id": 380, "stage": "deploy", "name": "production", "status": "skipped",
           "created_at": "2016-08-12 15:23:28 UTC", "started_at": null, "finished_at": null}
        ]
      }
      """.formatted(VARIABLE_VALUE);

  private GitlabSamples() {}
}
