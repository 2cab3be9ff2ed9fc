package io.meshmq.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Runs many asynchronous steps (connects, subscribes, disconnects) a batch at a time, each batch within a time
 * limit, and at most at a given rate. Two thousand connects at once would measure the broker's accept backlog and
 * the harness's own event loops rather than the run, and a broker that stops answering would leave them all
 * waiting; a batch bounds both. The rate keeps connects under a broker's connect-rate limit, beyond which it
 * refuses them (MeshMQ's mqtt.max-connect-rate).
 */
final class Batched<T> {

  private final List<T> succeeded = new ArrayList<>();
  private Throwable firstFailure;

  private Batched() {
  }

  /**
   * Starts {@code step.apply(i)} for i from 0 to count - 1, at most {@code batchSize} at a time, and waits for each
   * batch at most {@code batchTimeoutNanos}. A step that fails or is late is counted as failed; the next batches run
   * anyway, so that a clean-up does what it can.
   *
   * @param perSecond steps started per second at most, averaged over a batch (the next batch starts no sooner
   *     than its size allows); 0 = as soon as the previous batch is done
   */
  static <T> Batched<T> run(int count, int batchSize, double perSecond, long batchTimeoutNanos,
      IntFunction<CompletableFuture<T>> step) throws InterruptedException {
    Batched<T> result = new Batched<>();
    for (int from = 0; from < count; from += batchSize) {
      long started = System.nanoTime();
      List<CompletableFuture<T>> batch = new ArrayList<>();
      for (int i = from; i < Math.min(count, from + batchSize); i++) {
        batch.add(step.apply(i));
      }
      long deadline = started + batchTimeoutNanos;
      for (CompletableFuture<T> f : batch) {
        result.await(f, deadline);
      }
      long nextBatch = perSecond > 0 ? started + (long) (batch.size() * 1e9 / perSecond) : started;
      for (long now = System.nanoTime(); now - nextBatch < 0; now = System.nanoTime()) {
        LockSupport.parkNanos(nextBatch - now);
      }
    }
    return result;
  }

  private void await(CompletableFuture<T> f, long deadline) throws InterruptedException {
    try {
      succeeded.add(f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
    } catch (ExecutionException e) {
      failed(e.getCause());
    } catch (TimeoutException e) {
      failed(new TimeoutException("no answer within the batch's time limit"));
    }
  }

  private void failed(Throwable cause) {
    if (firstFailure == null) {
      firstFailure = cause;
    }
  }

  /** What the steps that completed in time produced. */
  List<T> succeeded() {
    return succeeded;
  }

  /** Throws the first failure, if any, with what the steps were. */
  Batched<T> orThrow(String what) {
    if (firstFailure != null) {
      throw new IllegalStateException(what + ": " + firstFailure.getMessage(), firstFailure);
    }
    return this;
  }
}
