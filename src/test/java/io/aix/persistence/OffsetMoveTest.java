package io.aix.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.aix.connector.Offset;
import io.aix.pipeline.PollStage;
import io.aix.sandbox.LeadGenerator;
import io.aix.sandbox.SalesforceOrg;
import io.aix.testing.Sql;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A read in flight stores where it got to page by page; a promotion (the stream starts over) or a
 * change event gap (the watermark is rewound) may happen between two pages. The scale bench found
 * the first twice: a poll that was running when the promotion deleted the offset stored its
 * watermark again, and the read after it began there (at 200,000 leads 43 kept their old scores; at
 * 1,000,000, 835,000). A page now moves the offset only if it is still where the read expects it:
 * where its query began, or where its previous page left it.
 */
@QuarkusTest
class OffsetMoveTest {
  private static final String PROFILE = "offset-move-test";
  private static final String STREAM = "Lead:poll";

  @Inject WorkQueue queue;
  @Inject LeadStore store;
  @Inject AgroalDataSource db;
  @Inject io.aix.sandbox.Sandbox sandbox;
  @Inject io.aix.pipeline.PollStage poller;
  @Inject io.aix.pipeline.CheckpointStage checkpointer;
  @Inject io.aix.pipeline.PipelineDriver driver;
  @Inject org.apache.camel.CamelContext camel;

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

  @Test
  void aPromotionBetweenTwoPagesOfAPollLeavesTheStreamToStartOver() throws Exception {
    driver.reset();
    SalesforceOrg org = sandbox.salesforce().org();
    org.reset();
    LeadGenerator generator = new LeadGenerator(7, Clock.systemUTC());
    for (int i = 0; i < 4500; i++) {
      org.insert("Lead", generator.lead());
    }
    // The demo profile reads Leads 2,000 a page: three pages, one query.
    Exchange cycle = new DefaultExchange(camel);
    cycle.getMessage().setHeader(PollStage.PROFILE, "demo-salesforce");
    cycle.getMessage().setHeader(PollStage.OBJECT, "Lead");
    poller.nextPage(cycle);
    checkpointer.commit(cycle);
    assertThat(storedPoll()).as("the first page moved the watermark").startsWith("watermark:");
    // The promotion's statements (ModelStore.promote) between the first page and the second.
    Sql.exec(
        db,
        "delete from source_offset where profile_id = 'demo-salesforce' and stream = 'Lead:poll'");
    while (Boolean.TRUE.equals(cycle.getProperty(PollStage.MORE))) {
      poller.nextPage(cycle);
      checkpointer.commit(cycle);
    }
    assertThat(storedPoll())
        .as("the rest of the query the cycle had begun does not store its watermark")
        .isIn(null, Offset.Watermark.START.encode());
    driver.reset();
  }

  private String storedPoll() throws SQLException {
    return Sql.text(
        db,
        "select position from source_offset where profile_id = 'demo-salesforce' and stream ="
            + " 'Lead:poll'");
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
                startedAt.encode(),
                Set.of()));
  }

  private String stored() throws SQLException {
    return Sql.text(
        db,
        "select position from source_offset where profile_id = '"
            + PROFILE
            + "' and stream = '"
            + STREAM
            + "'");
  }

  private void sql(String statement) throws SQLException {
    Sql.exec(db, statement);
  }
}
