package io.aix.persistence;

import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Rows of {@code crm_credential}: sealed token sets per profile, as the vault hands them over. */
@jakarta.enterprise.context.ApplicationScoped
public class CredentialStore {
  /**
   * One stored, sealed token set.
   *
   * @param accountId the CRM account the tokens belong to (HubSpot: the portal id); null when not
   *     known, and a save with null keeps the stored one (a renewal does not learn it again)
   */
  public record Row(
      String profileId, String keyId, String sealed, Instant expiresAt, String accountId) {
    public Row(String profileId, String keyId, String sealed, Instant expiresAt) {
      this(profileId, keyId, sealed, expiresAt, null);
    }
  }

  public Uni<Optional<Row>> load(String profileId) {
    return NativeSql.<Object[]>list(
            "select profile_id, key_id, sealed, expires_at, account_id from crm_credential"
                + " where profile_id = :p",
            Map.of("p", profileId))
        .map(rows -> rows.stream().findFirst().map(CredentialStore::row));
  }

  public Uni<List<Row>> all() {
    return NativeSql.<Object[]>list(
            "select profile_id, key_id, sealed, expires_at, account_id from crm_credential",
            Map.of())
        .map(rows -> rows.stream().map(CredentialStore::row).toList());
  }

  public Uni<Void> save(Row row) {
    // A null account id cannot be bound as a typed parameter; '' stands for "keep the stored one".
    return NativeSql.update(
            "insert into crm_credential"
                + " (profile_id, key_id, sealed, expires_at, updated_at, account_id)"
                + " values (:p, :k, :s, :e, now(), nullif(:a, '')) on conflict (profile_id) do update"
                + " set key_id = excluded.key_id, sealed = excluded.sealed,"
                + " expires_at = excluded.expires_at, updated_at = excluded.updated_at,"
                + " account_id = coalesce(excluded.account_id, crm_credential.account_id)",
            Map.of(
                "p", row.profileId(),
                "k", row.keyId(),
                "s", row.sealed(),
                "e", row.expiresAt().atOffset(ZoneOffset.UTC),
                "a", row.accountId() == null ? "" : row.accountId()))
        .replaceWithVoid();
  }

  private static Row row(Object[] r) {
    return new Row(
        (String) r[0], (String) r[1], (String) r[2], NativeSql.instant(r[3]), (String) r[4]);
  }
}
