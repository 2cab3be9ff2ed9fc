package io.meshmq.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PasswordFileTest {

  private static final String HASH = PasswordHasher.hash("pw".toCharArray(), 10_000);

  @Test
  void readsUsersAndSkipsCommentsAndBlankLines() {
    PasswordFile f = PasswordFile.parse("pw", List.of("# users", "", "alice:" + HASH, "  bob:" + HASH + "  "));
    assertThat(f.size()).isEqualTo(2);
    assertThat(f.hashOf("alice")).isEqualTo(HASH);
    assertThat(f.hashOf("bob")).isEqualTo(HASH);
    assertThat(f.hashOf("carol")).isNull();
  }

  @Test
  void everyBadLineIsReportedWithItsNumber() {
    assertThatThrownBy(() -> PasswordFile.parse("pw", List.of("alice:" + HASH, "bob", "carol:plaintext", ":" + HASH,
        "alice:" + HASH)))
        .isInstanceOfSatisfying(FileFormatException.class, e -> assertThat(e.problems()).containsExactly(
            "line 2: expected username:hash",
            "line 3: user 'carol': hash must start with $pbkdf2-sha256$",
            "line 4: expected username:hash",
            "line 5: user 'alice' appears twice"))
        .hasMessageStartingWith("pw: 4 problems");
  }
}
