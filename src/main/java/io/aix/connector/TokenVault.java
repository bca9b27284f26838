package io.aix.connector;

import java.time.Instant;
import java.util.Optional;

/**
 * Where a connector keeps the tokens it obtains from its CRM (an OAuth access token and, when the
 * CRM rotates it, the newest refresh token), so replicas share one token and a restart does not
 * fall back to a refresh token the CRM has since replaced. Implementations store them encrypted.
 */
public interface TokenVault {
  /**
   * Tokens of one profile; {@code refreshToken} null when the CRM did not send a new one.
   *
   * @param accountId the CRM account the tokens were granted for (HubSpot: the portal's hub id),
   *     learnt at install; null when not known, and saving null keeps the one stored
   */
  record Tokens(String accessToken, String refreshToken, Instant expiresAt, String accountId) {
    public Tokens(String accessToken, String refreshToken, Instant expiresAt) {
      this(accessToken, refreshToken, expiresAt, null);
    }

    @Override
    public String toString() {
      return "Tokens[expiresAt=" + expiresAt + ", accountId=" + accountId + "]";
    }
  }

  Optional<Tokens> load(String profileId);

  void save(String profileId, Tokens tokens);

  /** Keeps nothing: tokens live in memory only. */
  TokenVault NONE =
      new TokenVault() {
        @Override
        public Optional<Tokens> load(String profileId) {
          return Optional.empty();
        }

        @Override
        public void save(String profileId, Tokens tokens) {}
      };
}
