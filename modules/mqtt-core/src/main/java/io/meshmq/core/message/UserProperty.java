package io.meshmq.core.message;

/** An MQTT 5 user property: a name/value pair passed through unchanged; names may repeat. */
public record UserProperty(String name, String value) {
}
