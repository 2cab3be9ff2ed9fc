package io.meshmq.broker.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class PasswordHasherTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void hashHasTheDocumentedFormatWithA16ByteSaltAndDefaultIterations() {
    String h = PasswordHasher.hash("s3cret".toCharArray());
    assertThat(h).matches("\\$pbkdf2-sha256\\$210000\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+");
    String[] parts = h.split("\\$");
    assertThat(Base64.getDecoder().decode(parts[3])).hasSize(16);
    assertThat(Base64.getDecoder().decode(parts[4])).hasSize(32);
    assertThat(PasswordHasher.DEFAULT_ITERATIONS).isGreaterThanOrEqualTo(210_000);
  }

  @Test
  void samePasswordTwiceGivesDifferentSaltsAndBothVerify() {
    String a = PasswordHasher.hash("pässwörd".toCharArray());
    String b = PasswordHasher.hash("pässwörd".toCharArray());
    assertThat(a).isNotEqualTo(b);
    assertThat(PasswordHasher.verify(a, utf8("pässwörd"))).isTrue();
    assertThat(PasswordHasher.verify(b, utf8("pässwörd"))).isTrue();
    assertThat(PasswordHasher.verify(a, utf8("passwörd"))).isFalse();
    assertThat(PasswordHasher.verify(a, utf8(""))).isFalse();
    assertThat(PasswordHasher.verify(a, null)).isFalse();
    assertThat(PasswordHasher.verify(a, new byte[] {(byte) 0xC3})).as("invalid UTF-8").isFalse();
  }

  @Test
  void anEmptyPasswordCanBeHashedAndVerified() {
    String h = PasswordHasher.hash(new char[0], PasswordHasher.MIN_ITERATIONS);
    assertThat(PasswordHasher.verify(h, new byte[0])).isTrue();
    assertThat(PasswordHasher.verify(h, utf8("x"))).isFalse();
  }

  @Test
  void aHashFromAnotherImplementationVerifies() {
    // Python: hashlib.pbkdf2_hmac('sha256', 'pässwörd'.encode(), b'0123456789abcdef', 10000, 32), base64 unpadded.
    String fromPython = "$pbkdf2-sha256$10000$MDEyMzQ1Njc4OWFiY2RlZg$JOUI+PDl6IKz7XzgSqg3b4CApuXExkk5ZlYy5QWfFGE";
    assertThat(PasswordHasher.verify(fromPython, utf8("pässwörd"))).isTrue();
    assertThat(PasswordHasher.verify(fromPython, utf8("passwörd"))).isFalse();
  }

  @Test
  void malformedHashesAreExplained() {
    assertThat(PasswordHasher.check("plain")).contains("must start with $pbkdf2-sha256$");
    assertThat(PasswordHasher.check("$pbkdf2-sha256$x$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")).contains("iterations");
    assertThat(PasswordHasher.check("$pbkdf2-sha256$1000$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA"))
        .contains("between 10000");
    assertThat(PasswordHasher.check("$pbkdf2-sha256$210000$***$AAAA")).contains("base64");
    assertThat(PasswordHasher.check("$pbkdf2-sha256$210000$AAAA$AAAAAAAAAAAAAAAAAAAAAA")).contains("salt");
    assertThat(PasswordHasher.check("$pbkdf2-sha256$210000$AAAAAAAAAAAAAAAAAAAAAA")).contains("<iterations>$<salt>$<hash>");
    assertThat(PasswordHasher.check(PasswordHasher.hash("x".toCharArray(), 10_000))).isNull();
    assertThatThrownBy(() -> PasswordHasher.verify("nope", utf8("x"))).isInstanceOf(IllegalArgumentException.class);
  }
}
