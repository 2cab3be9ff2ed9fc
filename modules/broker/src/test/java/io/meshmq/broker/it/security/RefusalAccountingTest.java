package io.meshmq.broker.it.security;

import static io.meshmq.broker.it.security.SecurityClients.v3Code;
import static io.meshmq.broker.it.security.SecurityClients.v5Code;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.security.PasswordHasher;
import io.meshmq.broker.security.SecurityProviders;
import io.meshmq.broker.sys.AuthFailure;
import io.meshmq.broker.sys.BrokerStats;
import io.meshmq.broker.test.BrokerFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A flood of bad logins is counted by reason, and logged as a handful of lines, not one per attempt: refused
 * CONNECTs are logged once per source address per auth.refusal-log-seconds.
 */
class RefusalAccountingTest {

  @TempDir
  Path dir;

  @Test
  void aFloodOfBadLoginsIsCountedByReasonAndLoggedOncePerSource() throws Exception {
    Files.write(dir.resolve("passwords"), List.of("alice:" + PasswordHasher.hash("wonderland".toCharArray(), 10_000)));
    Object[] overrides = {BrokerSettings.TCP_HOST, "127.0.0.1", BrokerSettings.AUTH_PASSWORD_FILE, "passwords",
        BrokerSettings.AUTH_ALLOW_ANONYMOUS, "false", BrokerSettings.AUTH_FAILED_LOGIN_LIMIT, 3,
        BrokerSettings.AUTH_FAILED_LOGIN_EXEMPT_LOOPBACK, false}; // the test's clients are on loopback
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger meshmq = (Logger) LoggerFactory.getLogger("io.meshmq");
    meshmq.addAppender(logs);
    try (SecurityProviders security = SecurityProviders.fromSettings(Settings.of(overrides), dir);
         BrokerFixture broker = BrokerFixture.start(security.authenticator(), security.authorizer(), overrides)) {
      String uri = broker.tcpUri();
      for (int i = 0; i < 6; i++) {
        int code = i % 2 == 0 ? v3Code(uri, "bad-" + i, "alice", "guess-" + i) : v5Code(uri, "bad-" + i, "mallory", "x");
        // The first 3 are checked and wrong; the address is blocked after that (not authorized).
        assertThat(code).as("attempt %d", i).isIn(i < 3 ? List.of(4, 0x86) : List.of(5, 0x87));
      }
      assertThat(v3Code(uri, "anon-1", null, null)).isEqualTo(5);
      assertThat(v5Code(uri, "anon-2", null, null)).isEqualTo(0x87);

      BrokerStats stats = broker.broker().node().stats();
      assertThat(stats.authFailureCounter(AuthFailure.BAD_CREDENTIALS).sum()).isEqualTo(3);
      assertThat(stats.authFailureCounter(AuthFailure.BLOCKED).sum()).isEqualTo(3);
      assertThat(stats.authFailureCounter(AuthFailure.ANONYMOUS).sum()).isEqualTo(2);
      assertThat(stats.authFailureCounter(AuthFailure.NOT_AUTHORIZED).sum()).isZero();

      List<String> refusedLines = logs.list.stream().map(ILoggingEvent::getFormattedMessage)
          .filter(m -> m.contains("127.0.0.1") && !m.contains("listening")).toList();
      // One line for the 8 refused CONNECTs from 127.0.0.1, one when the address reached the limit, one for the
      // first blocked attempt (the block is logged once per failed-login window).
      assertThat(refusedLines).as("%s", refusedLines).hasSize(3);
      assertThat(refusedLines).filteredOn(m -> m.startsWith("Client ")).hasSize(1);
    } finally {
      meshmq.detachAppender(logs);
    }
  }
}
