package io.meshmq.broker.auth;

import io.vertx.core.Future;

/**
 * Decides per topic what an authenticated client may publish and subscribe to. Asynchronous for the same
 * reason as {@link Authenticator}; a failed future counts as a refusal.
 */
public interface Authorizer {

  Future<Boolean> canPublish(ClientIdentity client, String topicName);

  Future<Boolean> canSubscribe(ClientIdentity client, String topicFilter);

  /**
   * Like {@link #canSubscribe}, and says whether the grant covers every topic the filter matches or must be narrowed
   * at delivery (a wildcard over a denied topic). An authorizer that never narrows need not override it.
   */
  default Future<SubscribeGrant> grantSubscribe(ClientIdentity client, String topicFilter) {
    return canSubscribe(client, topicFilter).map(ok -> ok ? SubscribeGrant.WHOLE : SubscribeGrant.REFUSED);
  }

  /**
   * Registers {@code listener} to run (on any thread) whenever the rules change, so that the broker can re-check
   * the subscriptions it granted; returns what deregisters it. Rules that never change need not call it.
   */
  default Runnable onRulesChanged(Runnable listener) {
    return () -> { };
  }

  Future<Boolean> TRUE = Future.succeededFuture(true);

  /** Allows everything: the default behind this interface until an ACL is configured. */
  Authorizer ALLOW_ALL = new Authorizer() {
    @Override
    public Future<Boolean> canPublish(ClientIdentity client, String topicName) {
      return TRUE;
    }

    @Override
    public Future<Boolean> canSubscribe(ClientIdentity client, String topicFilter) {
      return TRUE;
    }
  };
}
