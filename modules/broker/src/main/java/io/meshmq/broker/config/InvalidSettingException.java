package io.meshmq.broker.config;

/** A configuration value that cannot be used; the message always names the offending key. */
public final class InvalidSettingException extends IllegalArgumentException {

  private final String key;

  public InvalidSettingException(String key, String problem) {
    super("Invalid configuration '" + key + "': " + problem);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
