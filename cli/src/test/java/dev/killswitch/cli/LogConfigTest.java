package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The log configuration Killswitch ships ({@code logback.xml}), and that the process uses it. */
class LogConfigTest {

  /** Logs as a Killswitch process would once {@code main} has started; run in a JVM of its own. */
  public static final class Probe {
    public static void main(String[] args) {
      if (args.length > 0 && args[0].equals("shipped")) {
        Killswitch.useShippedLogConfig();
      }
      org.slf4j.LoggerFactory.getLogger("dev.killswitch.cli.Probe").warn("probe: a\nforged line");
    }
  }

  @Test
  void theProcessLogsWithTheShippedConfigurationAlthoughTheTestkitsLogbackTestXmlIsOnItsClassPath() throws Exception {
    // This class path holds both, as the jar and the image do (the demo needs the testkit): logback alone would
    // take the testkit's logback-test.xml, which writes to standard output and leaves messages as they are.
    assertThat(getClass().getClassLoader().getResource("logback-test.xml")).isNotNull();
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Probe.class.getName(), "shipped").start();
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).isZero();
    assertThat(stderr).contains("WARN  d.killswitch.cli.Probe - probe: a?forged line");
    assertThat(stdout).doesNotContain("probe");
  }

  @Test
  void aMessageQuotingWhatAClientSentCannotForgeALogLineOrCarryTerminalEscapes() throws Exception {
    URL config = getClass().getClassLoader().getResource("logback.xml");
    assertThat(config).isNotNull();
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      JoranConfigurator joran = new JoranConfigurator();
      joran.setContext(context);
      joran.doConfigure(config);
      Logger log = context.getLogger("dev.killswitch.ingest.Test");
      log.warn("dead letter: {}", "bad\n12:00:00.000 INFO  d.k.revoker - revoked everything\u001b[2J\tend");
      log.error("with a cause", new IllegalStateException("boom"));
    } finally {
      context.stop();
      System.setErr(stderr);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("dead letter: bad?12:00:00.000 INFO  d.k.revoker - revoked everything?[2J\tend");
    assertThat(out).doesNotContain("\u001b");
    assertThat(out.lines().filter(l -> l.contains("revoked everything"))).singleElement()
        .asString().contains("WARN");
    // Stack traces are not part of the message: they keep their lines.
    assertThat(out).contains("with a cause" + System.lineSeparator() + "java.lang.IllegalStateException: boom");
  }
}
