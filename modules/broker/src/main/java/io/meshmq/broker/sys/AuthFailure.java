package io.meshmq.broker.sys;

/** Why a CONNECT was refused by authentication; the {@code reason} label of {@code meshmq_auth_failures_total}. */
public enum AuthFailure {
  /** Unknown user or wrong password. */
  BAD_CREDENTIALS("bad_credentials"),
  /** The source address reached auth.failed-login-limit: refused without a password check. */
  BLOCKED("blocked"),
  /** No (checkable) username while anonymous access is not allowed. */
  ANONYMOUS("anonymous"),
  /** Refused for any other reason the authenticator or authorizer gave (e.g. a will topic not allowed). */
  NOT_AUTHORIZED("not_authorized"),
  /** The authenticator failed or did not answer in time (the broker fails closed). */
  ERROR("error");

  private final String label;

  AuthFailure(String label) {
    this.label = label;
  }

  public String label() {
    return label;
  }
}
