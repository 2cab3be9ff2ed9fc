package io.meshmq.broker.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The users of a password file: one {@code username:hash} line per user ({@link PasswordHasher} format); blank
 * lines and lines starting with {@code #} are ignored. A username is everything before the first {@code :}.
 */
public final class PasswordFile {

  private final Map<String, String> hashes;

  private PasswordFile(Map<String, String> hashes) {
    this.hashes = Collections.unmodifiableMap(hashes);
  }

  /** Reads and checks a whole file; a file with any bad line is refused as a whole. */
  public static PasswordFile read(Path file) throws IOException {
    return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
  }

  /** @throws FileFormatException listing every bad line */
  public static PasswordFile parse(String name, List<String> lines) {
    Map<String, String> hashes = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      int n = i + 1;
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0) {
        problems.add("line " + n + ": expected username:hash");
        continue;
      }
      String user = line.substring(0, colon);
      String hash = line.substring(colon + 1);
      String problem = PasswordHasher.check(hash);
      if (problem != null) {
        problems.add("line " + n + ": user '" + user + "': " + problem);
      } else if (hashes.putIfAbsent(user, hash) != null) {
        problems.add("line " + n + ": user '" + user + "' appears twice");
      }
    }
    if (!problems.isEmpty()) {
      throw new FileFormatException(name, problems);
    }
    return new PasswordFile(hashes);
  }

  /** The hash of {@code username}, or null if there is no such user. */
  public String hashOf(String username) {
    return hashes.get(username);
  }

  public int size() {
    return hashes.size();
  }
}
