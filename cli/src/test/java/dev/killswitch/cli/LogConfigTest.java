package dev.killswitch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The log configuration Killswitch ships ({@code logback.xml}), loaded as it is, in a context of its own. */
class LogConfigTest {

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
