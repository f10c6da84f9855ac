package dev.killswitch.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Option;

/**
 * {@code --tail-audit-log PATH --cluster NAME} (repeatable): follow kube-apiserver {@code --audit-log-path} files
 * besides, or instead of, the audit webhook. Shared by {@code run} and {@code ingest}.
 */
final class TailOptions {

  /** One audit log file and the cluster its events come from. */
  static final class Tail {
    @Option(names = "--tail-audit-log", required = true, paramLabel = "PATH",
        description = "A kube-apiserver --audit-log-path file (JSON lines) to follow; follows rotation, resumes from "
            + "a checkpoint in the data directory")
    Path log;

    @Option(names = "--cluster", required = true, paramLabel = "NAME",
        description = "The cluster the tailed audit log belongs to (the <cluster> of k8s: references)")
    String cluster;
  }

  @ArgGroup(exclusive = false, multiplicity = "0..*")
  List<Tail> tails = new ArrayList<>();

  List<Application.AuditLogTail> specs() {
    return tails.stream().map(t -> new Application.AuditLogTail(t.log, t.cluster)).toList();
  }
}
