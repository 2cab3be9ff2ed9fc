package io.meshmq.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import io.meshmq.server.config.ServerSettings.LogLevel;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/** Applies the {@code log.level} setting to the logging backend. */
final class LogLevels {

  private LogLevels() {
  }

  static void setRootLevel(LogLevel level) {
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    // When embedded in an application with another SLF4J backend, the level is that application's business.
    if (factory instanceof LoggerContext context) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level.name()));
    } else {
      LoggerFactory.getLogger(LogLevels.class)
          .warn("log.level={} not applied: the logging backend is {}, not logback", level, factory.getClass().getName());
    }
  }
}
