package io.meshmq.broker.security;

import io.meshmq.broker.auth.Authorizer;
import io.meshmq.broker.auth.ClientIdentity;
import io.meshmq.broker.auth.SubscribeGrant;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Applies the current {@link Acl} (first match wins, default deny). Usernames count only when a password file
 * or a client certificate vouches for them: otherwise {@code user} rules and {@code %u} patterns never apply, since
 * anyone could claim any username.
 */
public final class FileAuthorizer implements Authorizer {

  private final Supplier<Acl> acl;
  private final boolean usernamesVerified;
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

  public FileAuthorizer(Supplier<Acl> acl, boolean usernamesVerified) {
    this.acl = acl;
    this.usernamesVerified = usernamesVerified;
  }

  @Override
  public Future<Boolean> canPublish(ClientIdentity client, String topicName) {
    return Future.succeededFuture(acl.get().canPublish(username(client), client.clientId(), topicName));
  }

  @Override
  public Future<Boolean> canSubscribe(ClientIdentity client, String topicFilter) {
    return Future.succeededFuture(acl.get().canSubscribe(username(client), client.clientId(), topicFilter));
  }

  @Override
  public Future<SubscribeGrant> grantSubscribe(ClientIdentity client, String topicFilter) {
    String username = username(client);
    String clientId = client.clientId();
    return Future.succeededFuture(switch (acl.get().subscribeVerdict(username, clientId, topicFilter)) {
      case REFUSED -> SubscribeGrant.REFUSED;
      case GRANTED -> SubscribeGrant.WHOLE;
      // Reads the rules in force at each message, so that a reload applies at once; the re-check that follows a
      // reload (SubscriptionRevocation) then drops the gate if the new rules no longer narrow this filter.
      case NARROWED -> SubscribeGrant.narrowed(topic -> acl.get().canReceive(username, clientId, topic));
    });
  }

  @Override
  public Runnable onRulesChanged(Runnable listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** The ACL changed (a reload): tells whoever registered. */
  void rulesChanged() {
    listeners.forEach(Runnable::run);
  }

  private String username(ClientIdentity client) {
    return usernamesVerified || client.usernameFromCertificate() ? client.username() : null;
  }
}
