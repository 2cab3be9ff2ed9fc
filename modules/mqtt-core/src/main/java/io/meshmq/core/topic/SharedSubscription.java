package io.meshmq.core.topic;

import java.util.Objects;

/**
 * The parts of an MQTT 5 shared subscription {@code $share/{group}/{filter}} (section 4.8.2). The broker stores
 * and matches the inner {@link #filter}; the group only decides which member of the group receives a message.
 *
 * <p>Parsing assumes the string already passed {@link TopicRules#checkFilter}; it does not re-validate.
 */
public record SharedSubscription(String group, String filter) {

  public SharedSubscription {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(filter, "filter");
  }

  /**
   * Splits a shared subscription into group and inner filter, or returns {@code null} for an ordinary filter.
   *
   * @throws IllegalArgumentException if it starts with {@code $share/} but has no second '/', which
   *     {@link TopicRules} would have rejected
   */
  public static SharedSubscription parse(String filterOrShared) {
    if (!isShared(filterOrShared)) {
      return null;
    }
    int groupStart = TopicRules.SHARE_PREFIX.length();
    int slash = filterOrShared.indexOf('/', groupStart);
    if (slash < 0) {
      throw new IllegalArgumentException("shared subscription without a topic filter: " + filterOrShared);
    }
    return new SharedSubscription(filterOrShared.substring(groupStart, slash), filterOrShared.substring(slash + 1));
  }

  public static boolean isShared(String filterOrShared) {
    return filterOrShared != null && filterOrShared.startsWith(TopicRules.SHARE_PREFIX);
  }

  /** The wire form, {@code $share/{group}/{filter}}. */
  public String toTopicFilter() {
    return TopicRules.SHARE_PREFIX + group + '/' + filter;
  }
}
