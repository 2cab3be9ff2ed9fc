package io.meshmq.core.message;

import java.util.List;

/**
 * The MQTT 5 properties of a PUBLISH that travel with the message to every subscriber unchanged.
 * Message expiry is not here: it is turned into an absolute deadline on {@link Message}.
 *
 * @param payloadFormatIndicator 0 or 1 as sent, or -1 when absent
 */
public record PublishProperties(int payloadFormatIndicator, String contentType, String responseTopic,
                                byte[] correlationData, List<UserProperty> userProperties) {

  public static final PublishProperties NONE = new PublishProperties(-1, null, null, null, List.of());

  public PublishProperties {
    userProperties = userProperties == null ? List.of() : List.copyOf(userProperties);
  }

  public boolean isEmpty() {
    return payloadFormatIndicator < 0 && contentType == null && responseTopic == null && correlationData == null
        && userProperties.isEmpty();
  }
}
