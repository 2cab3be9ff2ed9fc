package io.meshmq.broker.it.transport;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The JDK's WebSocket client, for raw MQTT bytes and frames no MQTT library sends: what arrives, and the close code. */
final class JdkWebSocket implements WebSocket.Listener, AutoCloseable {

  final WebSocket socket;
  final BlockingQueue<byte[]> binary = new LinkedBlockingQueue<>();
  final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
  private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

  private JdkWebSocket(URI uri, String subprotocol) {
    this.socket = HttpClient.newHttpClient().newWebSocketBuilder().subprotocols(subprotocol)
        .buildAsync(uri, this).join();
  }

  /** Opens a WebSocket offering {@code subprotocol}; fails with the handshake's HTTP status when refused. */
  static JdkWebSocket open(URI uri, String subprotocol) {
    return new JdkWebSocket(uri, subprotocol);
  }

  void sendBinary(byte[] bytes) {
    socket.sendBinary(ByteBuffer.wrap(bytes), true).join();
  }

  byte[] nextBinary() throws InterruptedException {
    return binary.poll(TransportClients.WAIT_SECONDS, TimeUnit.SECONDS);
  }

  int awaitCloseCode() throws Exception {
    return closeCode.get(TransportClients.WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
    byte[] chunk = new byte[data.remaining()];
    data.get(chunk);
    partial.write(chunk, 0, chunk.length);
    if (last) {
      binary.add(partial.toByteArray());
      partial.reset();
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode.complete(statusCode);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closeCode.completeExceptionally(error);
  }

  @Override
  public void close() {
    socket.abort();
  }
}
