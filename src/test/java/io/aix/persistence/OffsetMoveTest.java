package io.aix.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.aix.connector.Offset;
import io.aix.testing.Sql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A read in flight stores where it got to page by page; a promotion (the stream starts over) or a
 * change event gap (the watermark is rewound) may happen between two pages. The 200,000-lead bench
 * found the first: a poll that was running when the promotion deleted the offset stored its
 * watermark again, the read after it began there, and 43 leads last changed before it kept their
 * old scores. These tests pin that a read's page moves the offset only from where the read began.
 */
@QuarkusTest
class OffsetMoveTest {
  private static final String PROFILE = "offset-move-test";
  private static final String STREAM = "Lead:poll";

  @Inject WorkQueue queue;
  @Inject LeadStore store;
  @Inject AgroalDataSource db;

  private final Offset.Watermark began =
      new Offset.Watermark(Instant.parse("2026-12-01T10:00:00Z"), "00Q000000000001AAA");
  private final Offset.Watermark reached =
      new Offset.Watermark(Instant.parse("2026-12-01T10:05:00Z"), "00Q000000000009AAA");

  @BeforeEach
  void clean() throws SQLException {
    sql("delete from source_offset where profile_id = '" + PROFILE + "'");
  }

  @Test
  void aPageMovesTheOffsetOnFromWhereItsReadBegan() throws Exception {
    page(Offset.Watermark.START, began);
    assertThat(stored()).isEqualTo(began.encode());
    page(began, reached);
    assertThat(stored()).isEqualTo(reached.encode());
  }

  @Test
  void aPageAfterAPromotionStartedTheStreamOverDoesNotStoreItsWatermarkAgain() throws Exception {
    page(Offset.Watermark.START, began);
    // The promotion's statements (ModelStore.promote): the stream forgets where it was.
    sql(
        "delete from source_offset where profile_id = '"
            + PROFILE
            + "' and stream = '"
            + STREAM
            + "'");
    page(began, reached);
    assertThat(stored())
        .as("the next read starts from the beginning")
        .isIn(null, Offset.Watermark.START.encode());
  }

  @Test
  void aPageAfterARewindDoesNotUndoIt() throws Exception {
    page(Offset.Watermark.START, reached);
    Instant gapSince = Instant.parse("2026-12-01T09:00:00Z");
    ReactiveBridge.await(() -> store.rewindWatermark(PROFILE, STREAM, gapSince));
    page(
        reached, new Offset.Watermark(Instant.parse("2026-12-01T10:07:00Z"), "00Q00000000000AAAA"));
    assertThat(stored()).startsWith("watermark:" + gapSince);
  }

  private void page(Offset startedAt, Offset next) {
    ReactiveBridge.await(
        () ->
            queue.accept(
                PROFILE,
                STREAM,
                List.of(),
                Set.of(),
                Map.of(),
                Optional.of(next),
                Instant.EPOCH,
                Instant.now(),
                false,
                startedAt));
  }

  private String stored() throws SQLException {
    try (Connection c = db.getConnection();
        Statement s = c.createStatement();
        ResultSet r =
            s.executeQuery(
                "select position from source_offset where profile_id = '"
                    + PROFILE
                    + "' and stream = '"
                    + STREAM
                    + "'")) {
      return r.next() ? r.getString(1) : null;
    }
  }

  private void sql(String statement) throws SQLException {
    Sql.exec(db, statement);
  }
}
