package io.meshmq.broker.it.security;

import static io.meshmq.broker.it.security.SecurityClients.v3Code;
import static io.meshmq.broker.it.security.SecurityClients.v5Code;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.config.Settings;
import io.meshmq.broker.security.PasswordHasher;
import io.meshmq.broker.security.SecurityProviders;
import io.meshmq.broker.test.BrokerFixture;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The password file, the anonymous rule and the failed-login limit, with real clients and real files. */
class PasswordFileAuthTest {

  /** Fewer iterations than the default keep the tests quick; the broker reads the count from each hash. */
  private static final int TEST_ITERATIONS = 10_000;

  @TempDir
  Path dir;

  private Path passwords;
  private SecurityProviders security;
  private BrokerFixture broker;

  @BeforeEach
  void writePasswordFile() throws IOException {
    passwords = dir.resolve("passwords");
    Files.write(passwords, List.of("# test users", "alice:" + PasswordHasher.hash("wonderland".toCharArray(), TEST_ITERATIONS)));
  }

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.close();
    }
    if (security != null) {
      security.close();
    }
  }

  /** A broker with the security providers built from these settings, exactly as the launcher builds them. */
  private String start(Object... overrides) {
    List<Object> all = new ArrayList<>(List.of(BrokerSettings.TCP_HOST, "127.0.0.1"));
    Collections.addAll(all, overrides);
    Settings settings = Settings.of(all.toArray());
    security = SecurityProviders.fromSettings(settings, dir);
    broker = BrokerFixture.start(security.authenticator(), security.authorizer(), all.toArray());
    return broker.tcpUri();
  }

  @Test
  void goodAndBadPasswordsGetTheRightCodesInBothVersions() {
    String uri = start(BrokerSettings.AUTH_PASSWORD_FILE, "passwords");
    assertThat(v3Code(uri, "a1", "alice", "wonderland")).isZero();
    assertThat(v3Code(uri, "a2", "alice", "nope")).isEqualTo(4);
    assertThat(v3Code(uri, "a3", "mallory", "wonderland")).as("unknown user").isEqualTo(4);
    assertThat(v5Code(uri, "a4", "alice", "wonderland")).isZero();
    assertThat(v5Code(uri, "a5", "alice", "nope")).isEqualTo(0x86);
    assertThat(v5Code(uri, "a6", "mallory", "x")).isEqualTo(0x86);
  }

  @Test
  void anonymousClientsAreAllowedByDefaultOnALoopbackListener() {
    String uri = start(BrokerSettings.AUTH_PASSWORD_FILE, "passwords");
    assertThat(v3Code(uri, "anon3", null, null)).isZero();
    assertThat(v5Code(uri, "anon5", null, null)).isZero();
  }

  @Test
  void anonymousClientsAreRefusedWhenTheSettingIsFalse() {
    String uri = start(BrokerSettings.AUTH_PASSWORD_FILE, "passwords", BrokerSettings.AUTH_ALLOW_ANONYMOUS, false);
    assertThat(v3Code(uri, "anon3", null, null)).isEqualTo(5);
    assertThat(v5Code(uri, "anon5", null, null)).isEqualTo(0x87);
    assertThat(v3Code(uri, "a1", "alice", "wonderland")).isZero();
  }

  @Test
  void withoutAPasswordFileAUsernameIsNotCheckedAndCountsAsAnonymous() {
    String uri = start(BrokerSettings.AUTH_ALLOW_ANONYMOUS, false);
    assertThat(v3Code(uri, "u1", "alice", "anything")).isEqualTo(5);
    assertThat(v5Code(uri, "u2", null, null)).isEqualTo(0x87);
  }

  @Test
  void anonymousClientsAreRefusedByDefaultOnAListenerBoundBeyondLoopback() throws SocketException {
    String address = nonLoopbackAddress();
    Assumptions.assumeTrue(address != null, "this machine has no non-loopback IPv4 address to bind");
    start(BrokerSettings.TCP_HOST, address, BrokerSettings.AUTH_PASSWORD_FILE, "passwords");
    String uri = "tcp://" + address + ":" + broker.port();
    assertThat(v3Code(uri, "anon3", null, null)).isEqualTo(5);
    assertThat(v5Code(uri, "anon5", null, null)).isEqualTo(0x87);
    assertThat(v3Code(uri, "a1", "alice", "wonderland")).isZero();
  }

  @Test
  void aUserAddedWhileRunningCanConnectWithoutARestart() throws IOException {
    String uri = start(BrokerSettings.AUTH_PASSWORD_FILE, passwords.toString());
    assertThat(v3Code(uri, "b1", "bob", "builder")).isEqualTo(4);
    Files.writeString(passwords, "bob:" + PasswordHasher.hash("builder".toCharArray(), TEST_ITERATIONS) + "\n",
        java.nio.file.StandardOpenOption.APPEND);
    await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(500))
        .until(() -> v3Code(uri, "b2", "bob", "builder") == 0);
    assertThat(v5Code(uri, "a1", "alice", "wonderland")).isZero();
  }

  @Test
  void aBrokenFileKeepsThePreviousUsers() throws IOException {
    String uri = start(BrokerSettings.AUTH_PASSWORD_FILE, "passwords");
    Files.write(passwords, List.of("alice:plaintext-password", "garbage"));
    security.reloadNow();
    assertThat(v3Code(uri, "a1", "alice", "wonderland")).isZero();
    // Fixed again, without alice: she is gone.
    Files.write(passwords, List.of("bob:" + PasswordHasher.hash("builder".toCharArray(), TEST_ITERATIONS)));
    security.reloadNow();
    assertThat(v3Code(uri, "a2", "alice", "wonderland")).isEqualTo(4);
    assertThat(v3Code(uri, "b1", "bob", "builder")).isZero();
  }

  @Test
  void anAddressOverTheFailedLoginLimitIsRefusedWithoutAPasswordCheck() {
    // The clients are on 127.0.0.1, which the limit exempts unless told otherwise.
    String uri = start(BrokerSettings.AUTH_PASSWORD_FILE, "passwords", BrokerSettings.AUTH_FAILED_LOGIN_LIMIT, 3,
        BrokerSettings.AUTH_FAILED_LOGIN_WINDOW_SECONDS, 60, BrokerSettings.AUTH_FAILED_LOGIN_EXEMPT_LOOPBACK, false);
    assertThat(v3Code(uri, "x1", "alice", "guess1")).isEqualTo(4);
    assertThat(v3Code(uri, "x2", "alice", "guess2")).isEqualTo(4);
    assertThat(v5Code(uri, "x3", "alice", "guess3")).isEqualTo(0x86);
    // Blocked now: even the right password is refused at once, with "not authorized" rather than "bad password".
    assertThat(v3Code(uri, "x4", "alice", "wonderland")).isEqualTo(5);
    assertThat(v5Code(uri, "x5", "alice", "wonderland")).isEqualTo(0x87);
  }

  @Test
  void fiveBadLoginsFromLoopbackDoNotLockOutTheRightPasswordByDefault() {
    String uri = start(BrokerSettings.AUTH_PASSWORD_FILE, "passwords");
    for (int i = 1; i <= 5; i++) {
      assertThat(v3Code(uri, "typo" + i, "alice", "wonderlnad" + i)).as("typo %d", i).isEqualTo(4);
    }
    assertThat(v3Code(uri, "right-3", "alice", "wonderland")).isZero();
    assertThat(v5Code(uri, "right-5", "alice", "wonderland")).isZero();
    assertThat(v5Code(uri, "typo6", "alice", "nope")).as("still checked, still refused").isEqualTo(0x86);
  }

  @Test
  void withTheLoopbackExemptionOffFiveBadLoginsFromLoopbackLockOutTheRightPassword() {
    String uri = start(BrokerSettings.AUTH_PASSWORD_FILE, "passwords",
        BrokerSettings.AUTH_FAILED_LOGIN_EXEMPT_LOOPBACK, false);
    for (int i = 1; i <= 5; i++) {
      assertThat(v3Code(uri, "typo" + i, "alice", "wonderlnad" + i)).as("typo %d", i).isEqualTo(4);
    }
    assertThat(v3Code(uri, "right-3", "alice", "wonderland")).as("blocked: not authorized").isEqualTo(5);
    assertThat(v5Code(uri, "right-5", "alice", "wonderland")).isEqualTo(0x87);
  }

  private static String nonLoopbackAddress() throws SocketException {
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp() || ni.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
          return a.getHostAddress();
        }
      }
    }
    return null;
  }
}
