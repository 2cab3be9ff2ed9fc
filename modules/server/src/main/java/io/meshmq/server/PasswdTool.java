package io.meshmq.server;

import io.meshmq.broker.security.FileFormatException;
import io.meshmq.broker.security.PasswordFile;
import io.meshmq.broker.security.PasswordHasher;
import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Adds, removes and lists users of a MeshMQ password file, like {@code mosquitto_passwd}:
 * <pre>
 *   java -jar meshmq.jar passwd FILE add USER     # password prompted twice, or read from stdin
 *   java -jar meshmq.jar passwd FILE remove USER
 *   java -jar meshmq.jar passwd FILE list
 * </pre>
 * The file is rewritten atomically (a running broker reloads it within seconds); other lines and comments are
 * kept. A new file is created readable by its owner only.
 */
@Command(name = "meshmq-passwd", mixinStandardHelpOptions = true,
    description = "Adds, removes or lists the users of a MeshMQ password file (PBKDF2-SHA256, " + PasswordHasher.DEFAULT_ITERATIONS
        + " iterations, random 16-byte salt).",
    footer = {"", "add: the password is prompted twice on a terminal, else read from the first line of stdin:",
        "  echo 's3cret' | java -jar meshmq.jar passwd passwords add alice",
        "Exit codes: 0 done, 1 failed (unreadable file, unknown user on remove, passwords differ or empty),",
        "  2 bad arguments."})
public final class PasswdTool implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "FILE", description = "The password file (created by add if missing).")
  private Path file;

  @Parameters(index = "1", paramLabel = "add|remove|list", description = "add (or replace) a user, remove one, or "
      + "list the users.")
  private Action action;

  @Parameters(index = "2", arity = "0..1", paramLabel = "USER",
      description = "The username (no ':', no spaces at either end); not for list.")
  private String user;

  enum Action {
    add, remove, list
  }

  private final BufferedReader in;
  private final Console console;
  private final PrintWriter out;
  private final PrintWriter err;

  PasswdTool(BufferedReader in, Console console, PrintWriter out, PrintWriter err) {
    this.in = in;
    this.console = console;
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    Charset cs = Charset.defaultCharset();
    PrintWriter out = new PrintWriter(System.out, true, cs);
    PrintWriter err = new PrintWriter(System.err, true, cs);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, cs));
    System.exit(run(in, System.console(), out, err, args));
  }

  static int run(BufferedReader in, Console console, PrintWriter out, PrintWriter err, String... args) {
    int code = new CommandLine(new PasswdTool(in, console, out, err)).setOut(out).setErr(err)
        .setCaseInsensitiveEnumValuesAllowed(true).execute(args);
    out.flush();
    err.flush();
    return code;
  }

  @Override
  public Integer call() throws IOException {
    if (action == Action.list) {
      return list();
    }
    if (user == null) {
      err.println("A username is needed to " + action);
      return 2;
    }
    if (user.isEmpty() || user.contains(":") || !user.equals(user.strip()) || user.startsWith("#")) {
      err.println("Invalid username '" + user + "': it must be non-empty, without ':', not start with '#' "
          + "and have no spaces at either end");
      return 2;
    }
    List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : new ArrayList<>();
    try {
      PasswordFile.parse(file.toString(), lines);
    } catch (FileFormatException e) {
      err.println("The file is invalid, fix it first: " + e.getMessage());
      return 1;
    }
    int at = indexOf(lines, user);
    if (action == Action.remove) {
      if (at < 0) {
        err.println("No user '" + user + "' in " + file);
        return 1;
      }
      lines.remove(at);
      write(lines);
      out.println("Removed user '" + user + "' from " + file);
      return 0;
    }
    char[] password = readPassword();
    if (password == null) {
      return 1;
    }
    String line;
    try {
      line = user + ":" + PasswordHasher.hash(password);
    } finally {
      Arrays.fill(password, '\0');
    }
    if (at >= 0) {
      lines.set(at, line);
    } else {
      lines.add(line);
    }
    write(lines);
    out.println((at >= 0 ? "Changed the password of user '" : "Added user '") + user + "' to " + file);
    return 0;
  }

  /** The users, one per line, in the file's order (their hashes are not shown). */
  private int list() throws IOException {
    if (!Files.exists(file)) {
      err.println("No such file: " + file);
      return 1;
    }
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    try {
      PasswordFile.parse(file.toString(), lines);
    } catch (FileFormatException e) {
      err.println("The file is invalid: " + e.getMessage());
      return 1;
    }
    for (String line : lines) {
      String l = line.strip();
      if (!l.isEmpty() && !l.startsWith("#")) {
        out.println(l.substring(0, l.indexOf(':')));
      }
    }
    return 0;
  }

  private static int indexOf(List<String> lines, String user) {
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (!l.startsWith("#") && l.startsWith(user + ":")) {
        return i;
      }
    }
    return -1;
  }

  private char[] readPassword() throws IOException {
    if (console != null) {
      char[] first = console.readPassword("Password for %s: ", user);
      char[] second = console.readPassword("Repeat it: ");
      if (first == null || second == null || !Arrays.equals(first, second)) {
        err.println("The passwords differ (or input ended); nothing changed");
        return null;
      }
      Arrays.fill(second, '\0');
      return nonEmpty(first);
    }
    String line = in.readLine();
    if (line == null) {
      err.println("No password on stdin; nothing changed");
      return null;
    }
    return nonEmpty(line.toCharArray());
  }

  /** An empty password would let anyone who knows the username in. */
  private char[] nonEmpty(char[] password) {
    if (password.length == 0) {
      err.println("The password is empty; nothing changed");
      return null;
    }
    return password;
  }

  private void write(List<String> lines) throws IOException {
    Path absolute = file.toAbsolutePath();
    Path dir = absolute.getParent();
    Path tmp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
    try {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(tmp, Files.exists(absolute) ? Files.getPosixFilePermissions(absolute)
            : PosixFilePermissions.fromString("rw-------"));
      }
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
