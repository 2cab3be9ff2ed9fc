package io.meshmq.broker.security;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Counts failed logins per source address in a sliding window. Once an address has {@code limit} failures within
 * the window it is blocked: its logins are refused without looking at the password, until its oldest failure
 * leaves the window. Refusals while blocked are not counted as failures (a client retrying in a loop is not
 * locked out for ever). Bounded: at most {@link #MAX_ADDRESSES} addresses are tracked.
 *
 * <p>Loopback addresses can be exempt (auth.failed-login-exempt-loopback, on by default): the limit is there against
 * password guessing over the network, and on loopback it mostly locked out the operator's own tools and health
 * checks after a few typos in a shell. A host whose local users are not trusted turns the exemption off. The address
 * is the real client's (the PROXY header's when the listener takes one), so a proxy on the same machine does not make
 * every client behind it exempt.
 */
public final class FailedLoginLimiter {

  static final int MAX_ADDRESSES = 100_000;

  private final int limit;
  private final long windowMillis;
  private final LongSupplier clock;
  private final boolean exemptLoopback;
  private final Map<String, ArrayDeque<Long>> failures = new HashMap<>();
  /** Per blocked address, the time its block was last logged. */
  private final Map<String, Long> loggedBlocks = new HashMap<>();

  /** @param limit failures per window; 0 = no limit */
  public FailedLoginLimiter(int limit, long windowMillis, LongSupplier clock) {
    this(limit, windowMillis, clock, false);
  }

  /** @param exemptLoopback whether loopback addresses are never counted nor blocked */
  public FailedLoginLimiter(int limit, long windowMillis, LongSupplier clock, boolean exemptLoopback) {
    this.limit = limit;
    this.windowMillis = windowMillis;
    this.clock = clock;
    this.exemptLoopback = exemptLoopback;
  }

  private boolean exempt(String address) {
    return limit <= 0 || (exemptLoopback && LoopbackAddress.is(address));
  }

  /** Whether {@code address} is blocked now. */
  public synchronized boolean isBlocked(String address) {
    if (exempt(address)) {
      return false;
    }
    ArrayDeque<Long> times = failures.get(address);
    if (times == null) {
      return false;
    }
    prune(times, clock.getAsLong());
    if (times.isEmpty()) {
      failures.remove(address);
      return false;
    }
    return times.size() >= limit;
  }

  /** Records a failed login; returns true when this failure reached the limit (the address is now blocked). */
  public synchronized boolean recordFailure(String address) {
    if (exempt(address)) {
      return false;
    }
    long now = clock.getAsLong();
    if (failures.size() >= MAX_ADDRESSES && !failures.containsKey(address)) {
      evictExpired(now);
      if (failures.size() >= MAX_ADDRESSES) {
        return false; // under a very wide attack: stop tracking new addresses rather than grow without bound
      }
    }
    ArrayDeque<Long> times = failures.computeIfAbsent(address, a -> new ArrayDeque<>());
    prune(times, now);
    times.addLast(now);
    while (times.size() > limit) {
      times.removeFirst();
    }
    return times.size() == limit;
  }

  /** Whether a refusal of a blocked address should be logged: once per window per address. */
  synchronized boolean shouldLogBlock(String address) {
    long now = clock.getAsLong();
    Long last = loggedBlocks.get(address);
    if (last != null && now - last < windowMillis) {
      return false;
    }
    if (loggedBlocks.size() >= MAX_ADDRESSES) {
      loggedBlocks.clear();
    }
    loggedBlocks.put(address, now);
    return true;
  }

  public int limit() {
    return limit;
  }

  public long windowMillis() {
    return windowMillis;
  }

  private void prune(ArrayDeque<Long> times, long now) {
    while (!times.isEmpty() && now - times.peekFirst() >= windowMillis) {
      times.removeFirst();
    }
  }

  private void evictExpired(long now) {
    for (Iterator<ArrayDeque<Long>> it = failures.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Long> times = it.next();
      prune(times, now);
      if (times.isEmpty()) {
        it.remove();
      }
    }
  }

  /** The host part of a socket address as Vert.x prints it ({@code 10.0.0.7:51234}, {@code [::1]:51234}). */
  public static String hostOf(String remoteAddress) {
    if (remoteAddress == null) {
      return "?";
    }
    int colon = remoteAddress.lastIndexOf(':');
    if (colon > 0 && colon < remoteAddress.length() - 1
        && remoteAddress.substring(colon + 1).chars().allMatch(Character::isDigit)) {
      String host = remoteAddress.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return host;
    }
    return remoteAddress;
  }
}
