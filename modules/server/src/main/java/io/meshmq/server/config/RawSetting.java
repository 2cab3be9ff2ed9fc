package io.meshmq.server.config;

/**
 * A value for a key as found in one configuration source, before conversion.
 *
 * @param key    the dotted setting key (possibly unknown: validation happens when it is applied)
 * @param value  the raw text, or null when the source gave the key without a value
 * @param source where it came from, for messages and the start-up log, e.g. "file /etc/meshmq/broker.yaml"
 */
record RawSetting(String key, String value, String source) {
}
