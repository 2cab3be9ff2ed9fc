package io.meshmq.gatling.mqtt;

import com.typesafe.scalalogging.Logger;
import io.gatling.commons.stats.KO$;
import io.gatling.commons.stats.OK$;
import io.gatling.commons.validation.Failure;
import io.gatling.commons.validation.Success;
import io.gatling.commons.validation.Validation;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import io.gatling.core.structure.ScenarioContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.LoggerFactory;
import scala.Function1;
import scala.Option;

/**
 * Base of our MQTT actions. {@code execute} starts the asynchronous broker call and returns at once; the
 * completion logs the request through the stats engine (OK/KO, start and end millis) and hands the user to the
 * next action with {@code !}, which puts it back on its Gatling event loop.
 */
abstract class MqttAction implements Action {

  private final Logger logger = Logger.apply(LoggerFactory.getLogger(getClass()));
  final String requestName;
  final Action next;
  final MqttComponents mqtt;
  final StatsEngine stats;

  MqttAction(String requestName, ScenarioContext ctx, Action next) {
    this.requestName = requestName;
    this.next = next;
    this.mqtt = ctx.protocolComponentsRegistry().components(MqttProtocol.KEY);
    this.stats = ctx.coreComponents().statsEngine();
  }

  @Override
  public Logger logger() {
    return logger;
  }

  @Override
  public void com$typesafe$scalalogging$StrictLogging$_setter_$logger_$eq(Logger ignored) {
    // the field above is the logger
  }

  @Override
  public String name() {
    return requestName;
  }

  @Override
  public final void execute(Session session) {
    try {
      run(session);
    } catch (RuntimeException e) {
      long now = mqtt.now();
      fail(session, requestName, now, now, e.toString());
    }
  }

  abstract void run(Session session);

  void log(Session session, String request, long start, long end, boolean ok, String message) {
    stats.logResponse(session.scenario(), session.groups(), request, start, end,
        ok ? OK$.MODULE$ : KO$.MODULE$, Option.empty(), ok ? Option.empty() : Option.apply(message));
  }

  /** Logs KO and moves on with the user marked as failed (so {@code exitHereIfFailed} stops it). */
  void fail(Session session, String request, long start, long end, String message) {
    log(session, request, start, end, false, message);
    next.$bang(session.markAsFailed());
  }

  <T> CompletableFuture<T> bounded(CompletableFuture<T> future) {
    return future.orTimeout(mqtt.protocol.timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  String describe(Throwable error) {
    Throwable t = error;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof TimeoutException) {
      return "timeout after " + mqtt.protocol.timeout.toMillis() + " ms";
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }

  /** The user's client when connected, else logs KO and moves on; returns null then. */
  MqttUser connectedUser(Session session, long start) {
    MqttUser user = MqttComponents.user(session);
    if (user == null || user.connection == null || !user.connection.isConnected()) {
      fail(session, requestName, start, start, "not connected");
      return null;
    }
    return user;
  }

  static String eval(Function1<Session, Validation<String>> expression, Session session) {
    Validation<String> v = expression.apply(session);
    if (v instanceof Success) {
      return ((Success<String>) v).value();
    }
    throw new IllegalArgumentException(((Failure) (Object) v).message());
  }
}
