package io.meshmq.broker.security;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted, deliberately slow password hashes with the JDK's PBKDF2WithHmacSHA256, encoded as
 * {@code $pbkdf2-sha256$<iterations>$<salt, base64>$<hash, base64>} (standard base64 without padding). Hashing and
 * verifying take a noticeable fraction of a second by design: never call them on an event loop.
 */
public final class PasswordHasher {

  public static final String PREFIX = "$pbkdf2-sha256$";
  public static final int DEFAULT_ITERATIONS = 210_000;
  /** Hashes with fewer iterations are refused when read: they would be too cheap to brute-force. */
  public static final int MIN_ITERATIONS = 10_000;
  public static final int MAX_ITERATIONS = 10_000_000;
  public static final int SALT_BYTES = 16;
  private static final int HASH_BYTES = 32;
  private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();

  private PasswordHasher() {
  }

  /** A new hash of {@code password} with a fresh random salt and {@link #DEFAULT_ITERATIONS}. */
  public static String hash(char[] password) {
    return hash(password, DEFAULT_ITERATIONS);
  }

  public static String hash(char[] password, int iterations) {
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("iterations must be between " + MIN_ITERATIONS + " and " + MAX_ITERATIONS);
    }
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] dk = derive(password, salt, iterations, HASH_BYTES);
    return PREFIX + iterations + "$" + B64.encodeToString(salt) + "$" + B64.encodeToString(dk);
  }

  /**
   * Whether {@code password} (the UTF-8 bytes of a CONNECT) matches {@code encoded}. The comparison of the derived
   * keys takes constant time. A password that is not valid UTF-8 never matches.
   *
   * @throws IllegalArgumentException if {@code encoded} is not a valid hash (see {@link #check})
   */
  public static boolean verify(String encoded, byte[] password) {
    Parsed p = parse(encoded);
    char[] chars = decodeUtf8(password);
    if (chars == null) {
      // Still spend the time, so that the answer does not tell that the password was malformed.
      derive(new char[0], p.salt, p.iterations, p.hash.length);
      return false;
    }
    try {
      byte[] dk = derive(chars, p.salt, p.iterations, p.hash.length);
      return MessageDigest.isEqual(dk, p.hash);
    } finally {
      Arrays.fill(chars, '\0');
    }
  }

  /** Why {@code encoded} is not a valid hash, or null when it is. */
  public static String check(String encoded) {
    try {
      parse(encoded);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private record Parsed(int iterations, byte[] salt, byte[] hash) {
  }

  private static Parsed parse(String encoded) {
    if (encoded == null || !encoded.startsWith(PREFIX)) {
      throw new IllegalArgumentException("hash must start with " + PREFIX);
    }
    String[] parts = encoded.substring(PREFIX.length()).split("\\$", -1);
    if (parts.length != 3) {
      throw new IllegalArgumentException("hash must be " + PREFIX + "<iterations>$<salt>$<hash>");
    }
    int iterations;
    try {
      iterations = Integer.parseInt(parts[0]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("iterations must be a number, got '" + parts[0] + "'");
    }
    if (iterations < MIN_ITERATIONS || iterations > MAX_ITERATIONS) {
      throw new IllegalArgumentException("iterations must be between " + MIN_ITERATIONS + " and " + MAX_ITERATIONS
          + ", got " + iterations);
    }
    byte[] salt;
    byte[] hash;
    try {
      salt = Base64.getDecoder().decode(parts[1]);
      hash = Base64.getDecoder().decode(parts[2]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("salt and hash must be base64");
    }
    if (salt.length < 8) {
      throw new IllegalArgumentException("salt must be at least 8 bytes, got " + salt.length);
    }
    if (hash.length < 16 || hash.length > 64) {
      throw new IllegalArgumentException("hash must be 16 to 64 bytes, got " + hash.length);
    }
    return new Parsed(iterations, salt, hash);
  }

  private static byte[] derive(char[] password, byte[] salt, int iterations, int bytes) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
    try {
      return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(ALGORITHM + " is not available in this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }

  private static char[] decodeUtf8(byte[] bytes) {
    try {
      CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes == null ? new byte[0] : bytes));
      char[] out = new char[cb.remaining()];
      cb.get(out);
      return out;
    } catch (CharacterCodingException e) {
      return null;
    }
  }
}
