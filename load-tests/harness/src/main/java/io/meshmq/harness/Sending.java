package io.meshmq.harness;

/** How the publishers of a throughput run send: as fast as their windows allow, or at a fixed total rate. */
interface Sending {

  /** Sends from {@code startNanos}; returns once sending has ended, at about the deadline or sooner. */
  void run(long startNanos, long deadlineNanos) throws InterruptedException;

  /** Messages publisher {@code p} sent; read after {@link #run}. */
  long sent(int p);

  /** Adds how it sent to the result line. */
  void describe(ResultLine line);
}
