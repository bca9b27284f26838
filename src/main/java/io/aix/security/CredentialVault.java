package io.aix.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.aix.connector.TokenVault;
import io.aix.persistence.CredentialStore;
import io.aix.persistence.ReactiveBridge;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The {@link TokenVault} of a running AIX: tokens sealed with AES-256-GCM ({@link SecretBox}, keys
 * from {@code AIX_SECRET_KEYS}) in PostgreSQL, bound to their profile. Without a key nothing is
 * stored and connectors keep tokens in memory, as a warning at start says.
 */
@ApplicationScoped
public class CredentialVault implements TokenVault {
  private static final Logger LOG = Logger.getLogger(CredentialVault.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Inject CredentialStore store;

  @ConfigProperty(name = "aix.secrets.keys", defaultValue = " ")
  String keys;

  private SecretBox box;

  @PostConstruct
  void init() {
    box = SecretBox.of(keys);
  }

  public boolean enabled() {
    return box.enabled();
  }

  @Override
  public Optional<Tokens> load(String profileId) {
    if (!box.enabled()) {
      return Optional.empty();
    }
    Optional<CredentialStore.Row> row = ReactiveBridge.await(() -> store.load(profileId));
    if (row.isEmpty()) {
      return Optional.empty();
    }
    try {
      JsonNode t =
          JSON.readTree(
              box.open(new SecretBox.Sealed(row.get().keyId(), row.get().sealed()), profileId));
      return Optional.of(
          new Tokens(
              t.path("access_token").asText(null),
              t.path("refresh_token").asText(null),
              row.get().expiresAt(),
              row.get().accountId()));
    } catch (SecretBox.SealException | JsonProcessingException e) {
      // Not fatal: the connector falls back to the refresh token from the environment.
      LOG.warnf(
          "Stored tokens of %s are unusable (%s); obtaining new ones", profileId, e.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public void save(String profileId, Tokens tokens) {
    if (!box.enabled()) {
      return;
    }
    var node = JSON.createObjectNode();
    node.put("access_token", tokens.accessToken());
    if (tokens.refreshToken() != null) {
      node.put("refresh_token", tokens.refreshToken());
    }
    SecretBox.Sealed sealed = box.seal(node.toString(), profileId);
    ReactiveBridge.await(
        () ->
            store.save(
                new CredentialStore.Row(
                    profileId,
                    sealed.keyId(),
                    sealed.text(),
                    tokens.expiresAt(),
                    tokens.accountId())));
  }

  /**
   * Re-seals every stored token set with the current key (after a rotation put a new key first);
   * yields how many were re-sealed. Sets that no listed key opens are left for the connector to
   * replace.
   */
  public int resealAll() {
    if (!box.enabled()) {
      LOG.warn(
          "AIX_SECRET_KEYS is not set: tokens AIX obtains from CRMs (HubSpot OAuth) are kept in"
              + " memory only, not shared by replicas nor kept across restarts");
      return 0;
    }
    int resealed = 0;
    for (CredentialStore.Row row : ReactiveBridge.await(() -> store.all())) {
      if (row.keyId().equals(box.currentKeyId())) {
        continue;
      }
      try {
        String plain = box.open(new SecretBox.Sealed(row.keyId(), row.sealed()), row.profileId());
        SecretBox.Sealed sealed = box.seal(plain, row.profileId());
        ReactiveBridge.await(
            () ->
                store.save(
                    new CredentialStore.Row(
                        row.profileId(), sealed.keyId(), sealed.text(), row.expiresAt())));
        resealed++;
      } catch (SecretBox.SealException e) {
        LOG.warnf("Tokens of %s: %s", row.profileId(), e.getMessage());
      }
    }
    if (resealed > 0) {
      LOG.infof("Re-sealed %d stored token set(s) with key %s", resealed, box.currentKeyId());
    }
    return resealed;
  }
}
