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
  /** One stored, sealed token set. */
  public record Row(String profileId, String keyId, String sealed, Instant expiresAt) {}

  public Uni<Optional<Row>> load(String profileId) {
    return NativeSql.<Object[]>list(
            "select profile_id, key_id, sealed, expires_at from crm_credential"
                + " where profile_id = :p",
            Map.of("p", profileId))
        .map(rows -> rows.stream().findFirst().map(CredentialStore::row));
  }

  public Uni<List<Row>> all() {
    return NativeSql.<Object[]>list(
            "select profile_id, key_id, sealed, expires_at from crm_credential", Map.of())
        .map(rows -> rows.stream().map(CredentialStore::row).toList());
  }

  public Uni<Void> save(Row row) {
    return NativeSql.update(
            "insert into crm_credential (profile_id, key_id, sealed, expires_at, updated_at)"
                + " values (:p, :k, :s, :e, now()) on conflict (profile_id) do update set"
                + " key_id = excluded.key_id, sealed = excluded.sealed,"
                + " expires_at = excluded.expires_at, updated_at = excluded.updated_at",
            Map.of(
                "p", row.profileId(),
                "k", row.keyId(),
                "s", row.sealed(),
                "e", row.expiresAt().atOffset(ZoneOffset.UTC)))
        .replaceWithVoid();
  }

  private static Row row(Object[] r) {
    return new Row((String) r[0], (String) r[1], (String) r[2], NativeSql.instant(r[3]));
  }
}
