package io.meshmq.broker.it.transport;

import static io.meshmq.broker.it.transport.TransportClients.bytes;
import static io.meshmq.broker.it.transport.TransportClients.closeQuietly;
import static io.meshmq.broker.it.transport.TransportClients.hive;
import static io.meshmq.broker.it.transport.TransportClients.hiveRoundTrip;
import static io.meshmq.broker.it.transport.TransportClients.paho;
import static io.meshmq.broker.it.transport.TransportClients.pahoRoundTrip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.meshmq.broker.config.BrokerSettings;
import io.meshmq.broker.test.BrokerFixture;
import io.meshmq.broker.test.MqttPackets;
import io.meshmq.broker.test.TestPki;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CompletionException;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ws and wss listeners with real clients (Paho v3, HiveMQ, the JDK's WebSocket for raw bytes): MQTT in binary
 * frames to and from clients of every transport, packets up to the size limit in one frame, HTTP errors for what is
 * not an MQTT WebSocket upgrade, and the same bad-input answers as over TCP.
 */
class WebSocketListenerTest {

  @TempDir
  Path dir;

  private TestPki pki;
  private BrokerFixture broker;

  @BeforeEach
  void start() throws IOException {
    pki = TestPki.withServerFiles(dir);
    broker = BrokerFixture.start(BrokerSettings.WS_ENABLED, true, BrokerSettings.WS_PORT, 0,
        BrokerSettings.WSS_ENABLED, true, BrokerSettings.WSS_PORT, 0,
        BrokerSettings.TLS_CERT_FILE, dir.resolve("broker.crt").toString(),
        BrokerSettings.TLS_KEY_FILE, dir.resolve("broker.key").toString());
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  private String ws(String path) {
    return "ws://127.0.0.1:" + broker.broker().port("ws") + path;
  }

  private String wss() {
    return "wss://127.0.0.1:" + broker.broker().port("wss") + "/mqtt";
  }

  private SocketFactory trusting() {
    return TestPki.clientContext(pki.caCertificate(), null).getSocketFactory();
  }

  @Test
  void pahoV3OverWsAndWssExchangesMessagesWithPlainTcpClients() throws Exception {
    MqttClient overWs = paho(ws("/mqtt"), "paho-ws", null, null, null);
    MqttClient overWss = paho(wss(), "paho-wss", trusting(), null, null);
    MqttClient overTcp = paho(broker.tcpUri(), "paho-tcp", null, null, null);
    try {
      pahoRoundTrip(overWs, overTcp, "ws/from-tcp", bytes("tcp to ws"));
      pahoRoundTrip(overTcp, overWs, "ws/to-tcp", bytes("ws to tcp"));
      pahoRoundTrip(overWss, overWs, "wss/from-ws", bytes("ws to wss"));
      pahoRoundTrip(overWs, overWss, "wss/to-ws", bytes("wss to ws"));
    } finally {
      closeQuietly(overWs);
      closeQuietly(overWss);
      closeQuietly(overTcp);
    }
  }

  @Test
  void hiveMqMqtt5OverWsAndWss() throws Exception {
    hiveRoundTrip(hive(broker.broker().port("ws"), "hive-ws", b -> b.webSocketConfig().serverPath("mqtt")
        .applyWebSocketConfig()), "ws/hive");
    hiveRoundTrip(hive(broker.broker().port("wss"), "hive-wss", b -> b.webSocketConfig().serverPath("mqtt")
        .applyWebSocketConfig().sslConfig().trustManagerFactory(TestPki.trusting(pki.caCertificate())).applySslConfig()),
        "wss/hive");
  }

  @Test
  void aPacketNearTheSizeLimitTravelsInOneFrame() throws Exception {
    // Netty's WebSocket decoder stops at 64 KiB frames unless raised; the limit here is mqtt.max-packet-size (256 KiB).
    byte[] big = new byte[250_000];
    Arrays.fill(big, (byte) 'x');
    MqttClient overWs = paho(ws("/mqtt"), "paho-ws-big", null, null, null);
    MqttClient overTcp = paho(broker.tcpUri(), "paho-tcp-big", null, null, null);
    try {
      pahoRoundTrip(overTcp, overWs, "ws/big", big);
      pahoRoundTrip(overWs, overTcp, "ws/big-back", big);
    } finally {
      closeQuietly(overWs);
      closeQuietly(overTcp);
    }
  }

  @Test
  void rawMqttBytesInBinaryFramesGetAConnack() throws Exception {
    try (JdkWebSocket socket = JdkWebSocket.open(URI.create(ws("/mqtt")), "mqtt")) {
      byte[] connect = MqttPackets.connect(4).clientId("raw-ws").keepAlive(30).encode();
      // Split across two frames: MQTT over WebSocket is a byte stream, frames need not match packets.
      socket.sendBinary(Arrays.copyOfRange(connect, 0, 5));
      socket.sendBinary(Arrays.copyOfRange(connect, 5, connect.length));

      assertThat(socket.nextBinary()).as("CONNACK, session not present, accepted").containsExactly(0x20, 2, 0, 0);
    }
  }

  @Test
  void aPacketBeforeConnectClosesThatClientAsOverTcp() throws Exception {
    MqttClient bystander = paho(ws("/mqtt"), "bystander", null, null, null);
    try (JdkWebSocket socket = JdkWebSocket.open(URI.create(ws("/mqtt")), "mqtt")) {
      socket.sendBinary(MqttPackets.publish(4, "no/connect", 0, 0, bytes("rude")));

      assertThat(socket.awaitCloseCode()).as("WebSocket close, normal closure").isEqualTo(1000);
      pahoRoundTrip(bystander, bystander, "ws/bystander", bytes("still served"));
    } finally {
      closeQuietly(bystander);
    }
  }

  @Test
  void aFrameLargerThanThePacketLimitClosesTheConnectionWithMessageTooBig() throws Exception {
    // A small limit, so that the whole frame is written before the broker answers (a frame larger than the socket
    // buffers would meet a closed connection while still being written).
    try (BrokerFixture small = BrokerFixture.start(BrokerSettings.WS_ENABLED, true, BrokerSettings.WS_PORT, 0,
        BrokerSettings.MAX_PACKET_SIZE, 1024);
         JdkWebSocket socket = JdkWebSocket.open(URI.create("ws://127.0.0.1:" + small.broker().port("ws") + "/mqtt"), "mqtt")) {
      socket.sendBinary(new byte[2048]);

      assertThat(socket.awaitCloseCode()).as("1009: message too big").isEqualTo(1009);
    }
  }

  @Test
  void aTextFrameClosesTheConnectionWithUnsupportedData() throws Exception {
    try (JdkWebSocket socket = JdkWebSocket.open(URI.create(ws("/mqtt")), "mqtt")) {
      socket.socket.sendText("CONNECT please", true).join();

      assertThat(socket.awaitCloseCode()).as("1003: binary frames only").isEqualTo(1003);
    }
  }

  @Test
  void whatIsNotAnMqttWebSocketUpgradeGetsAnHttpError() throws Exception {
    assertThat(refusedUpgrade(ws("/other"), "mqtt")).as("another path").isEqualTo(404);
    assertThat(refusedUpgrade(ws("/mqtt"), "chat")).as("no MQTT subprotocol").isEqualTo(400);
    HttpResponse<String> plainGet = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(ws("/mqtt")
        .replace("ws:", "http:"))).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(plainGet.statusCode()).as("a GET without upgrade").isEqualTo(400);
    assertThat(plainGet.body()).contains("not a WebSocket upgrade");
  }

  @Test
  void bothMqttSubprotocolNamesAreAccepted() throws Exception {
    for (String subprotocol : new String[] {"mqtt", "mqttv3.1"}) {
      try (JdkWebSocket socket = JdkWebSocket.open(URI.create(ws("/mqtt")), subprotocol)) {
        assertThat(socket.socket.getSubprotocol()).isEqualTo(subprotocol);
      }
    }
  }

  private static int refusedUpgrade(String uri, String subprotocol) {
    Throwable failure = null;
    try {
      JdkWebSocket.open(URI.create(uri), subprotocol).close();
    } catch (CompletionException e) {
      failure = e.getCause();
    }
    assertThat(failure).as("refused upgrade of %s", uri).isInstanceOf(WebSocketHandshakeException.class);
    return ((WebSocketHandshakeException) failure).getResponse().statusCode();
  }
}
