package io.aix.privacy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A data subject, named by email: the key of erasure and export requests. Outside the request
 * itself AIX refers to a subject only by {@link #hash()}, so the audit log and the erasure
 * tombstones hold no personal data.
 */
public record Subject(String email) {
  private static final Pattern EMAIL = Pattern.compile("[^\\s@]{1,64}@[^\\s@]{1,253}");

  public Subject {
    email = normalize(email);
    if (!EMAIL.matcher(email).matches()) {
      throw new IllegalArgumentException("'" + email + "' is not an email address");
    }
  }

  /** The subject of a request, or empty when the text is no email address. */
  public static Optional<Subject> parse(String text) {
    try {
      return text == null ? Optional.empty() : Optional.of(new Subject(text));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** Emails compare without case and surrounding blanks, as the mappings' email transform does. */
  public static String normalize(String email) {
    return email == null ? "" : email.trim().toLowerCase(Locale.ROOT);
  }

  /** SHA-256 of the normalized email, hex: how tombstones and the audit log name a subject. */
  public String hash() {
    return hashOf(email);
  }

  /** The hash of a raw email value as a CRM holds it. */
  public static String hashOf(String email) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest(("aix-subject:" + normalize(email)).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }

  @Override
  public String toString() {
    return "subject " + hash().substring(0, 12);
  }
}
