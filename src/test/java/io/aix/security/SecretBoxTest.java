package io.aix.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class SecretBoxTest {
  static final String K1 = Base64.getEncoder().encodeToString(new byte[32]);
  static final String K2 =
      Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

  @Test
  void sealsAndOpensBoundToItsOwner() {
    SecretBox box = SecretBox.of("k1:" + K1);
    SecretBox.Sealed a = box.seal("pat-na1-secret", "profile-a");
    SecretBox.Sealed again = box.seal("pat-na1-secret", "profile-a");
    assertThat(a.keyId()).isEqualTo("k1");
    assertThat(a.text()).doesNotContain("secret").isNotEqualTo(again.text());
    assertThat(box.open(a, "profile-a")).isEqualTo("pat-na1-secret");
    assertThatThrownBy(() -> box.open(a, "profile-b")).isInstanceOf(SecretBox.SealException.class);
    byte[] bytes = Base64.getDecoder().decode(a.text());
    bytes[bytes.length - 1] ^= 1;
    SecretBox.Sealed tampered =
        new SecretBox.Sealed("k1", Base64.getEncoder().encodeToString(bytes));
    assertThatThrownBy(() -> box.open(tampered, "profile-a"))
        .isInstanceOf(SecretBox.SealException.class)
        .hasMessageContaining("tampered");
  }

  @Test
  void aRotatedKeyOpensOldValuesAndSealsNewOnes() {
    SecretBox.Sealed old = SecretBox.of("k1:" + K1).seal("token", "p");
    SecretBox rotating = SecretBox.of("k2:" + K2 + ", k1:" + K1);
    assertThat(rotating.open(old, "p")).isEqualTo("token");
    SecretBox.Sealed resealed = rotating.seal(rotating.open(old, "p"), "p");
    assertThat(resealed.keyId()).isEqualTo("k2");
    SecretBox rotated = SecretBox.of("k2:" + K2);
    assertThat(rotated.open(resealed, "p")).isEqualTo("token");
    assertThatThrownBy(() -> rotated.open(old, "p"))
        .hasMessageContaining("sealed with key k1, which AIX_SECRET_KEYS no longer lists");
  }

  @Test
  void badKeysAreRefusedWithoutShowingThem() {
    String shortKey = Base64.getEncoder().encodeToString("too-short-key".getBytes());
    assertThatThrownBy(() -> SecretBox.of("k1:" + shortKey))
        .hasMessageContaining("AES-256 needs 32")
        .hasMessageNotContaining(shortKey);
    assertThatThrownBy(() -> SecretBox.of(K1)).hasMessageContaining("id:base64key");
    assertThatThrownBy(() -> SecretBox.of("k1:" + K1 + ",k1:" + K2)).hasMessageContaining("twice");
    assertThat(SecretBox.of(" ").enabled()).isFalse();
    assertThat(SecretBox.of("k1:" + K1).toString()).doesNotContain(K1);
  }
}
