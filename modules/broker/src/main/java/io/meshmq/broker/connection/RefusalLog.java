package io.meshmq.broker.connection;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;

/**
 * Logs refused connections without letting a flood of them flood the log: at most one line per key (a source
 * address, or a limit) per interval; the refusals not logged are counted and the next line for that key says how
 * many there were. Every refusal is counted in the broker's metrics regardless. Bounded: at most
 * {@link #MAX_KEYS} keys are tracked; beyond that, refusals of new keys share one key.
 */
public final class RefusalLog {

  static final int MAX_KEYS = 10_000;
  private static final String OVERFLOW_KEY = "(other sources)";

  private final Logger log;
  private final long intervalMillis;
  private final LongSupplier clock;
  private final Map<String, Window> windows = new HashMap<>();

  /** @param intervalMillis 0 = log every refusal */
  public RefusalLog(Logger log, long intervalMillis, LongSupplier clock) {
    this.log = log;
    this.intervalMillis = intervalMillis;
    this.clock = clock;
  }

  /** Logs at INFO ({@code format} as SLF4J's) unless a line for {@code key} was logged within the interval. */
  public void info(String key, String format, Object... args) {
    long suppressed = intervalMillis <= 0 ? 0 : admit(key);
    if (suppressed < 0) {
      return;
    }
    if (suppressed == 0) {
      log.info(format, args);
    } else {
      Object[] withCount = java.util.Arrays.copyOf(args, args.length + 1);
      withCount[args.length] = suppressed;
      log.info(format + " (and {} more not logged since the last line)", withCount);
    }
  }

  /** -1 if this refusal is not to be logged, else how many went unlogged before it. */
  private synchronized long admit(String key) {
    long now = clock.getAsLong();
    Window w = windows.get(key);
    if (w == null) {
      if (windows.size() >= MAX_KEYS) {
        evictQuiet(now);
      }
      if (windows.size() >= MAX_KEYS) {
        key = OVERFLOW_KEY;
        w = windows.get(key);
      }
      if (w == null) {
        windows.put(key, new Window(now));
        return 0;
      }
    }
    if (now - w.loggedAt < intervalMillis) {
      w.suppressed++;
      return -1;
    }
    long suppressed = w.suppressed;
    w.loggedAt = now;
    w.suppressed = 0;
    return suppressed;
  }

  /** Forgets keys whose interval has passed (a count of unlogged refusals then goes unreported; the metrics have it). */
  private void evictQuiet(long now) {
    for (Iterator<Window> it = windows.values().iterator(); it.hasNext(); ) {
      Window w = it.next();
      if (now - w.loggedAt >= intervalMillis) {
        it.remove();
      }
    }
  }

  synchronized int trackedKeys() {
    return windows.size();
  }

  private static final class Window {
    long loggedAt;
    long suppressed;

    Window(long loggedAt) {
      this.loggedAt = loggedAt;
    }
  }
}
