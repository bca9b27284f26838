package io.aix.security;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for secrets AIX stores. Keys come from the environment as {@code
 * AIX_SECRET_KEYS=id:base64key[,id:base64key...]}: the first key seals, every listed key opens, so
 * a key is rotated by putting a new one first, letting AIX re-seal what it holds (at start), and
 * then dropping the old one. A sealed value is bound to its owner (the associated data, e.g. the
 * profile id): moved to another row it no longer opens. Never logs a key or a value.
 */
public final class SecretBox {
  private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  private static final int IV_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final Map<String, SecretKeySpec> keys;
  private final String current;
  private final SecureRandom random = new SecureRandom();

  /** A sealed value and the id of the key that sealed it. */
  public record Sealed(String keyId, String text) {}

  /** Thrown when a value cannot be opened: unknown key, wrong owner, or tampered. */
  public static final class SealException extends RuntimeException {
    SealException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private SecretBox(Map<String, SecretKeySpec> keys, String current) {
    this.keys = keys;
    this.current = current;
  }

  /**
   * Parses {@code id:base64key,...}; each key must be 32 bytes (AES-256). Blank means no keys.
   *
   * @throws IllegalArgumentException naming the entry that is wrong, never showing a key
   */
  public static SecretBox of(String spec) {
    Map<String, SecretKeySpec> keys = new LinkedHashMap<>();
    String first = null;
    if (spec != null && !spec.isBlank()) {
      int n = 0;
      for (String entry : spec.split(",")) {
        n++;
        int colon = entry.indexOf(':');
        String id = colon < 0 ? "" : entry.substring(0, colon).trim();
        if (!KEY_ID.matcher(id).matches()) {
          throw new IllegalArgumentException(
              "AIX_SECRET_KEYS entry " + n + ": write it as id:base64key (id: letters, digits)");
        }
        byte[] key;
        try {
          key = Base64.getDecoder().decode(entry.substring(colon + 1).trim());
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("AIX_SECRET_KEYS key " + id + " is not base64", null);
        }
        if (key.length != 32) {
          throw new IllegalArgumentException(
              "AIX_SECRET_KEYS key "
                  + id
                  + " has "
                  + key.length
                  + " bytes; AES-256 needs 32 (openssl rand -base64 32)");
        }
        if (keys.put(id, new SecretKeySpec(key, "AES")) != null) {
          throw new IllegalArgumentException("AIX_SECRET_KEYS lists key " + id + " twice");
        }
        if (first == null) {
          first = id;
        }
      }
    }
    return new SecretBox(keys, first);
  }

  /** Whether a key is configured; without one nothing is stored. */
  public boolean enabled() {
    return current != null;
  }

  public String currentKeyId() {
    return current;
  }

  public Sealed seal(String plaintext, String owner) {
    if (!enabled()) {
      throw new IllegalStateException("no AIX_SECRET_KEYS configured");
    }
    byte[] iv = new byte[IV_BYTES];
    random.nextBytes(iv);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, keys.get(current), new GCMParameterSpec(TAG_BITS, iv));
      c.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
      byte[] sealed = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[IV_BYTES + sealed.length];
      System.arraycopy(iv, 0, out, 0, IV_BYTES);
      System.arraycopy(sealed, 0, out, IV_BYTES, sealed.length);
      return new Sealed(current, Base64.getEncoder().encodeToString(out));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is part of every Java runtime", e);
    }
  }

  public String open(Sealed sealed, String owner) {
    SecretKeySpec key = keys.get(sealed.keyId());
    if (key == null) {
      throw new SealException(
          "sealed with key " + sealed.keyId() + ", which AIX_SECRET_KEYS no longer lists", null);
    }
    try {
      byte[] in = Base64.getDecoder().decode(sealed.text());
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, IV_BYTES));
      c.updateAAD(owner.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(in, IV_BYTES, in.length - IV_BYTES), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new SealException("a sealed value did not open: tampered, or not " + owner + "'s", e);
    }
  }

  @Override
  public String toString() {
    return "SecretBox[keys=" + keys.keySet() + "]";
  }
}
