package io.meshmq.broker.security;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A file read once at start (a missing or broken file then stops the start) and again whenever its content
 * changes, checked every few seconds on a background thread. A change that cannot be read or parsed is logged
 * once and the previous content stays in force, so a half-written file never locks everyone out.
 */
final class ReloadingFile<T> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ReloadingFile.class);

  private final Path path;
  private final String what;
  private final Function<byte[], T> parser;
  private volatile T current;
  /** Digest of the content last looked at, good or bad; null when the file was missing. */
  private byte[] lastSeen;
  private final ScheduledFuture<?> task;
  private final List<Runnable> changeListeners = new CopyOnWriteArrayList<>();

  /**
   * @param parser turns the file's bytes into the value; throws (e.g. {@link FileFormatException}) when they are bad
   * @throws IllegalArgumentException if the file cannot be read or parsed now
   */
  ReloadingFile(Path path, String what, Function<byte[], T> parser, ScheduledExecutorService timer, long intervalMillis) {
    this.path = path;
    this.what = what;
    this.parser = parser;
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the " + what + " " + path + ": " + e, e);
    }
    try {
      current = parser.apply(bytes);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("invalid " + what + " " + e.getMessage(), e);
    }
    lastSeen = digest(bytes);
    task = timer.scheduleWithFixedDelay(this::poll, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
  }

  T current() {
    return current;
  }

  /** Runs {@code listener} on the polling thread after each reload that changed the value in force. */
  void onChange(Runnable listener) {
    changeListeners.add(listener);
  }

  /** Re-reads the file if its content changed; runs on the timer thread (or a test's). */
  synchronized void poll() {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      if (lastSeen != null) {
        log.error("The {} {} is gone; keeping the previous content until it is back", what, path);
        lastSeen = null;
      }
      return;
    } catch (IOException | RuntimeException e) {
      log.error("Cannot read the {} {} ({}); keeping the previous content", what, path, e.toString());
      return;
    }
    byte[] d = digest(bytes);
    if (Arrays.equals(d, lastSeen)) {
      return;
    }
    lastSeen = d;
    try {
      current = parser.apply(bytes);
      log.info("Reloaded the {} {}", what, path);
    } catch (RuntimeException e) {
      log.error("The changed {} is invalid, keeping the previous content: {}", what, e.getMessage());
      return;
    }
    for (Runnable listener : changeListeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        log.error("Reacting to the changed {} failed", what, e);
      }
    }
  }

  private static byte[] digest(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
