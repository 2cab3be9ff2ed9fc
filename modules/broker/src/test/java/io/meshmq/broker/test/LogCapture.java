package io.meshmq.broker.test;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects, while open, the log lines that mean an exception escaped a connection: every ERROR line, and WARN
 * lines of Netty and Vert.x (Netty's "An exceptionCaught() event was fired, and it reached at the tail of the
 * pipeline" is one). The broker's own WARN lines (full queues and the like) are expected under abuse.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

  private final List<String> lines = new ArrayList<>();

  private LogCapture() {
  }

  public static LogCapture open() {
    LogCapture capture = new LogCapture();
    capture.setContext(root().getLoggerContext());
    capture.start();
    root().addAppender(capture);
    return capture;
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Override
  protected void append(ILoggingEvent e) {
    String logger = e.getLoggerName();
    // Vert.x's blocked-thread warning is about timing (a loaded machine), not an escaped exception.
    boolean library = (logger.startsWith("io.netty") || logger.startsWith("io.vertx"))
        && !logger.endsWith("BlockedThreadChecker");
    if (e.getLevel().isGreaterOrEqual(Level.ERROR) || (library && e.getLevel().isGreaterOrEqual(Level.WARN))) {
      String cause = e.getThrowableProxy() == null ? ""
          : " [" + e.getThrowableProxy().getClassName() + ": " + e.getThrowableProxy().getMessage() + "]";
      synchronized (lines) {
        lines.add(e.getLevel() + " " + logger + " - " + e.getFormattedMessage() + cause);
      }
    }
  }

  /** The lines collected so far. */
  public List<String> problems() {
    synchronized (lines) {
      return new ArrayList<>(lines);
    }
  }

  @Override
  public void close() {
    root().detachAppender(this);
    stop();
  }
}
