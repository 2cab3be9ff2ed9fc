package io.meshmq.broker.it.transport;

import static io.meshmq.broker.it.transport.TransportClients.pahoCode;
import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.security.PasswordHasher;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * auth.allow-anonymous=loopback-only (the default) per listener: anonymous clients get in over the TCP listener on
 * 127.0.0.1 and are refused over the WebSocket listener bound to all interfaces, where a password user gets in.
 */
class AnonymousPerListenerTest {

  @TempDir
  Path dir;

  private SecuredBroker broker;

  @BeforeEach
  void start() throws IOException {
    Files.write(dir.resolve("passwords"), List.of("alice:" + PasswordHasher.hash("a-pw".toCharArray(), 10_000)));
    Object[] overrides = {BrokerSettings.TCP_HOST, "127.0.0.1", BrokerSettings.WS_ENABLED, true,
        BrokerSettings.WS_HOST, "0.0.0.0", BrokerSettings.WS_PORT, 0, BrokerSettings.AUTH_PASSWORD_FILE, "passwords"};
    broker = SecuredBroker.start(dir, overrides);
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  @Test
  void anonymousClientsGetInOnlyOnTheLoopbackListener() {
    String ws = "ws://127.0.0.1:" + broker.port("ws") + "/mqtt";

    assertThat(pahoCode(broker.broker.tcpUri(), "anonymous-tcp", null, null, null)).as("tcp on 127.0.0.1").isZero();
    assertThat(pahoCode(ws, "anonymous-ws", null, null, null)).as("ws on 0.0.0.0: not authorized").isEqualTo(5);
    assertThat(pahoCode(ws, "alice-ws", null, "alice", "a-pw")).as("a password user over ws").isZero();
  }
}
