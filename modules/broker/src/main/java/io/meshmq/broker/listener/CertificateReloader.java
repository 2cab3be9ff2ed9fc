package io.meshmq.broker.listener;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.ServerSSLOptions;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at a TLS listener's certificate, key and CA files every {@code listeners.tls.reload-interval-seconds} and
 * hands changed content to the listener, which serves it to every new connection (open ones keep their session).
 * Content that does not load (a half-written key, a key not matching its certificate) is logged and the listener
 * keeps what it had; the next change is tried again.
 */
final class CertificateReloader {

  private static final Logger log = LoggerFactory.getLogger(CertificateReloader.class);

  private final Vertx vertx;
  private final ListenerSpec spec;
  private final int handshakeTimeoutSeconds;
  private final Function<ServerSSLOptions, Future<Boolean>> listener;
  private PemFiles current;
  private boolean checking;
  private boolean unreadableLogged;
  private long timer = -1;

  CertificateReloader(Vertx vertx, ListenerSpec spec, PemFiles current, int handshakeTimeoutSeconds,
                      Function<ServerSSLOptions, Future<Boolean>> listener) {
    this.vertx = vertx;
    this.spec = spec;
    this.current = current;
    this.handshakeTimeoutSeconds = handshakeTimeoutSeconds;
    this.listener = listener;
  }

  void start() {
    int seconds = spec.tls().reloadSeconds();
    if (seconds > 0) {
      timer = vertx.setPeriodic(seconds * 1000L, id -> check());
    }
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** Runs on the timer's context; one check at a time, so a slow read cannot overlap the next tick. */
  private void check() {
    if (checking) {
      return;
    }
    checking = true;
    PemFiles.read(vertx.fileSystem(), spec.tls())
        .onFailure(e -> {
          if (!unreadableLogged) {
            log.error("Listener {}: cannot read its certificate files ({}); keeping the current certificate",
                spec.name(), e.getMessage());
            unreadableLogged = true;
          }
        })
        .compose(this::apply)
        .onComplete(ar -> checking = false);
  }

  private Future<Void> apply(PemFiles files) {
    unreadableLogged = false;
    if (files.equals(current)) {
      return Future.succeededFuture();
    }
    current = files; // a change that does not load is tried once, not on every tick
    return listener.apply(files.sslOptions(spec.tls(), handshakeTimeoutSeconds))
        .onSuccess(updated -> log.info("Listener {}: certificate files changed ({}, {}); new connections get the new "
            + "content", spec.name(), spec.tls().certFile(), spec.tls().keyFile()))
        .onFailure(e -> log.error("Listener {}: the changed certificate files do not load ({}); new connections still "
            + "get the previous certificate", spec.name(), e.getMessage()))
        .<Void>mapEmpty()
        .otherwiseEmpty();
  }
}
