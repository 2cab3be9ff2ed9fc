package io.meshmq.broker.listener;

import static io.meshmq.broker.config.BrokerSettings.CONNECT_TIMEOUT_SECONDS;

import io.meshmq.broker.BrokerNode;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;

/**
 * One running listener: its server instances (one per event loop, sharing the port) and, for TLS, the reloader
 * of its certificate files.
 */
public final class MqttListener {

  private final Vertx vertx;
  private final ListenerSpec spec;
  private final String deploymentId;
  private final CertificateReloader reloader;

  private MqttListener(Vertx vertx, ListenerSpec spec, String deploymentId, CertificateReloader reloader) {
    this.vertx = vertx;
    this.spec = spec;
    this.deploymentId = deploymentId;
    this.reloader = reloader;
  }

  /**
   * Starts {@code instances} servers of {@code spec}, whose port must be a real one (not 0) for them to share it.
   * Fails with a message naming the listener when its certificate files cannot be read or loaded, or its port is taken.
   */
  public static Future<MqttListener> start(Vertx vertx, BrokerNode node, ListenerSpec spec, int instances) {
    Future<PemFiles> pem = spec.tls() == null ? Future.succeededFuture() : PemFiles.read(vertx.fileSystem(), spec.tls());
    int handshakeTimeout = node.settings().get(CONNECT_TIMEOUT_SECONDS);
    List<MqttListenerVerticle> servers = new ArrayList<>();
    return pem.compose(files -> vertx.deployVerticle(() -> {
          MqttListenerVerticle server = new MqttListenerVerticle(node, spec, ListenerOptions.of(node.settings(), spec, files));
          synchronized (servers) {
            servers.add(server);
          }
          return server;
        }, new DeploymentOptions().setInstances(instances).setThreadingModel(ThreadingModel.EVENT_LOOP))
        .map(id -> {
          MqttListenerVerticle first;
          synchronized (servers) {
            first = servers.get(0);
          }
          ListenerSpec bound = spec.withPort(first.actualPort());
          CertificateReloader reloader = files == null ? null
              : new CertificateReloader(vertx, bound, files, handshakeTimeout, first::updateSsl);
          if (reloader != null) {
            reloader.start();
          }
          return new MqttListener(vertx, bound, id, reloader);
        }))
        .recover(e -> Future.failedFuture(new IllegalStateException("MQTT listener " + spec.name() + " ("
            + spec.url() + ") did not start: " + e.getMessage(), e)));
  }

  /** The listener as bound: its port is the real one. */
  public ListenerSpec spec() {
    return spec;
  }

  /** Closes every connection of this listener (DISCONNECT first) and stops accepting. */
  public Future<Void> stop() {
    if (reloader != null) {
      reloader.stop();
    }
    return vertx.undeploy(deploymentId);
  }
}
