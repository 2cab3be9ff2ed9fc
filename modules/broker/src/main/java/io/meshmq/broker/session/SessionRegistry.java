package io.meshmq.broker.session;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The sessions of this node by client id. Claims are numbered so that, of several connections racing for one
 * client id, the newest wins and the others are turned away.
 */
public final class SessionRegistry {

  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final AtomicLong claims = new AtomicLong();

  /** The outcome of a claim. */
  public record Claim(Session session, long number, boolean resumed, Session replaced) {
  }

  /**
   * Claims a client id for a new connection: resumes the existing session unless {@code cleanStart} (or it
   * ended), otherwise installs a fresh one and reports the one it replaced (which the caller discards).
   */
  public Claim claim(String clientId, boolean cleanStart, Supplier<Session> fresh) {
    long number = claims.incrementAndGet();
    Session[] replaced = {null};
    boolean[] resumed = {false};
    Session s = sessions.compute(clientId, (id, current) -> {
      if (current != null && !cleanStart && !current.hasEnded()) {
        resumed[0] = true;
        current.claimedBy(number);
        return current;
      }
      replaced[0] = current;
      Session created = fresh.get();
      created.claimedBy(number);
      return created;
    });
    return new Claim(s, number, resumed[0], replaced[0]);
  }

  public Session get(String clientId) {
    return sessions.get(clientId);
  }

  /** Removes the entry only if it still maps to this session (a newer session for the id stays). */
  public boolean remove(Session session) {
    return sessions.remove(session.clientId(), session);
  }

  public int size() {
    return sessions.size();
  }

  public Collection<Session> all() {
    return sessions.values();
  }
}
