package io.meshmq.server.config;

import io.meshmq.broker.config.InvalidSettingException;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects every configuration problem instead of stopping at the first, so that an operator fixes a broken
 * deployment in one round instead of one restart per typo.
 */
final class ConfigProblems {

  private final List<InvalidSettingException> problems = new ArrayList<>();

  void add(String key, String problem, String source) {
    problems.add(new InvalidSettingException(key, problem + " [" + source + "]"));
  }

  /** Adds a conversion failure reported by {@code Setting.parse}, tagged with the source of the value. */
  void add(InvalidSettingException failure, String source) {
    add(failure.key(), problemOf(failure), source);
  }

  boolean isEmpty() {
    return problems.isEmpty();
  }

  /**
   * Throws one exception listing every problem, one line each. Its {@link InvalidSettingException#key()} is the
   * first offending key; each problem is also attached as a suppressed exception for callers that need them apart.
   */
  void throwIfAny() {
    if (problems.isEmpty()) {
      return;
    }
    if (problems.size() == 1) {
      throw problems.get(0);
    }
    InvalidSettingException first = problems.get(0);
    StringBuilder message = new StringBuilder(problemOf(first));
    for (InvalidSettingException other : problems.subList(1, problems.size())) {
      message.append('\n').append(other.getMessage());
    }
    InvalidSettingException all = new InvalidSettingException(first.key(), message.toString());
    problems.forEach(all::addSuppressed);
    throw all;
  }

  // InvalidSettingException only exposes its full message; strip its own "Invalid configuration 'key': " prefix
  // so that re-wrapping it with a source does not repeat the prefix.
  private static String problemOf(InvalidSettingException e) {
    String prefix = new InvalidSettingException(e.key(), "").getMessage();
    String message = e.getMessage();
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }
}
