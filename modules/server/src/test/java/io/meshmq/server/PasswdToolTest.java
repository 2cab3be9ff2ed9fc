package io.meshmq.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.meshmq.broker.security.PasswordFile;
import io.meshmq.broker.security.PasswordHasher;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PasswdToolTest {

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String stdin, String... args) {
    return PasswdTool.run(new BufferedReader(new StringReader(stdin)), null, new PrintWriter(out), new PrintWriter(err), args);
  }

  @Test
  void addsChangesAndRemovesUsersKeepingOtherLines() throws IOException {
    Path file = dir.resolve("passwords");
    assertThat(run("first\n", file.toString(), "add", "alice")).isZero();
    assertThat(out.toString()).contains("Added user 'alice'");
    if (Files.getFileAttributeView(file, java.nio.file.attribute.PosixFileAttributeView.class) != null) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }
    Files.writeString(file, "# comment kept\n" + Files.readString(file));
    assertThat(run("second\n", file.toString(), "add", "bob")).isZero();
    assertThat(run("changed\n", file.toString(), "add", "alice")).isZero();
    assertThat(out.toString()).contains("Changed the password of user 'alice'");

    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(3);
    assertThat(lines.get(0)).isEqualTo("# comment kept");
    PasswordFile users = PasswordFile.parse("f", lines);
    assertThat(users.hashOf("alice")).startsWith("$pbkdf2-sha256$" + PasswordHasher.DEFAULT_ITERATIONS + "$");
    assertThat(PasswordHasher.verify(users.hashOf("alice"), "changed".getBytes(StandardCharsets.UTF_8))).isTrue();
    assertThat(PasswordHasher.verify(users.hashOf("bob"), "second".getBytes(StandardCharsets.UTF_8))).isTrue();

    assertThat(run("", file.toString(), "remove", "alice")).isZero();
    assertThat(PasswordFile.parse("f", Files.readAllLines(file)).hashOf("alice")).isNull();
    assertThat(run("", file.toString(), "remove", "alice")).isEqualTo(1);
    assertThat(err.toString()).contains("No user 'alice'");
  }

  @Test
  void refusesBadUsernamesMissingPasswordsAndBrokenFiles() throws IOException {
    Path file = dir.resolve("passwords");
    assertThat(run("pw\n", file.toString(), "add", "a:b")).isEqualTo(2);
    assertThat(run("", file.toString(), "add", "alice")).isEqualTo(1);
    assertThat(err.toString()).contains("No password on stdin");
    assertThat(file).doesNotExist();
    Files.writeString(file, "alice:plain\n");
    assertThat(run("pw\n", file.toString(), "add", "bob")).isEqualTo(1);
    assertThat(err.toString()).contains("line 1: user 'alice'");
    assertThat(run("", file.toString(), "frobnicate", "bob")).isEqualTo(2);
  }

  @Test
  void refusesAnEmptyPasswordAndListsTheUsers() throws IOException {
    Path file = dir.resolve("passwords");
    assertThat(run("\n", file.toString(), "add", "alice")).isEqualTo(1);
    assertThat(err.toString()).contains("The password is empty");
    assertThat(file).doesNotExist();
    assertThat(run("a\n", file.toString(), "add", "alice")).isZero();
    assertThat(run("b\n", file.toString(), "add", "bob")).isZero();
    out.getBuffer().setLength(0);
    assertThat(run("", file.toString(), "list")).isZero();
    assertThat(out.toString().lines()).containsExactly("alice", "bob");
    assertThat(out.toString()).doesNotContain("$");
    assertThat(run("", file.toString(), "add")).as("add without a user").isEqualTo(2);
  }
}
