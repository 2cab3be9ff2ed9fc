package io.meshmq.cluster;

import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Hazelcast writes whose outcome may be unknown. With {@code hazelcast.operation.fail.on.indeterminate.state} (set
 * in {@code conf/hazelcast.yaml}), a write whose backup did not answer in time, or whose member left mid-write,
 * fails with {@link IndeterminateOperationStateException} instead of being reported done: it may or may not be in
 * the map, and may not be on two members. An idempotent write (the same value again, a delete) is simply made
 * again, which also puts it on the partition's new backup; a conditional remove is not idempotent (the second one
 * finds nothing), so the map is read back instead.
 */
final class MaybeWritten {

  /** How often a write Hazelcast could not vouch for is made again before its failure is passed on. */
  static final int ATTEMPTS = 5;

  private MaybeWritten() {
  }

  static boolean isIndeterminate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof IndeterminateOperationStateException) {
        return true;
      }
    }
    return false;
  }

  /**
   * An idempotent asynchronous write, made again while its outcome is unknown. A write that throws at once (its
   * instance has shut down) fails the future instead, so that a session task calling it does not stop halfway.
   */
  static <T> Future<T> again(Supplier<CompletionStage<T>> write) {
    return again(write, 1);
  }

  private static <T> Future<T> again(Supplier<CompletionStage<T>> write, int attempt) {
    Future<T> f;
    try {
      f = Future.fromCompletionStage(write.get());
    } catch (RuntimeException e) {
      f = Future.failedFuture(e);
    }
    return f.recover(e -> attempt < ATTEMPTS && isIndeterminate(e) ? again(write, attempt + 1) : Future.failedFuture(e));
  }

  /** An idempotent blocking write (worker threads only), made again while its outcome is unknown. */
  static void againBlocking(Runnable write) {
    for (int attempt = 1; ; attempt++) {
      try {
        write.run();
        return;
      } catch (RuntimeException e) {
        if (attempt >= ATTEMPTS || !isIndeterminate(e)) {
          throw e;
        }
      }
    }
  }

  /**
   * {@code map.remove(key, value)} (worker threads only): true when the entry had that value and is gone. When
   * Hazelcast cannot tell, the entry is read back: gone counts as removed, another value as not removed (someone
   * replaced it), the same value is removed again.
   */
  static <K, V> boolean removeIfSame(IMap<K, V> map, K key, V value) {
    for (int attempt = 1; ; attempt++) {
      try {
        return map.remove(key, value);
      } catch (RuntimeException e) {
        if (attempt >= ATTEMPTS || !isIndeterminate(e)) {
          throw e;
        }
        V now = map.get(key);
        if (now == null) {
          return true;
        }
        if (!same(now, value)) {
          return false;
        }
      }
    }
  }

  private static boolean same(Object a, Object b) {
    return a instanceof byte[] x && b instanceof byte[] y ? Arrays.equals(x, y) : Objects.equals(a, b);
  }
}
