package io.meshmq.broker.security;

import java.util.List;

/** A password or ACL file that cannot be used; the message lists every problem, each with its line number. */
public final class FileFormatException extends RuntimeException {

  private final List<String> problems;

  public FileFormatException(String file, List<String> problems) {
    super(file + ": " + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "\n  "
        + String.join("\n  ", problems));
    this.problems = List.copyOf(problems);
  }

  /** Each problem, such as {@code line 3: unknown action 'read' (publish, subscribe or both)}. */
  public List<String> problems() {
    return problems;
  }
}
