package io.aix.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.aix.connector.Offset;
import io.aix.lead.CrmRecord;
import io.aix.lead.LeadKey;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CheckpointStageTest {
  private static CrmRecord rec(String id, String at) {
    return new CrmRecord(
        new LeadKey("p", "Lead", id),
        Instant.parse(at),
        false,
        JsonNodeFactory.instance.objectNode());
  }

  private final List<CrmRecord> page =
      List.of(
          rec("A", "2026-11-24T10:00:00Z"),
          rec("B", "2026-11-24T10:00:01Z"),
          rec("C", "2026-11-24T10:00:01Z"),
          rec("D", "2026-11-24T10:00:02Z"));

  @Test
  void theOffsetMovesPastTheWholePageOnceItIsQueued() {
    assertThat(CheckpointStage.nextOffset(page))
        .contains(new Offset.Watermark(Instant.parse("2026-11-24T10:00:02Z"), "D"));
    assertThat(CheckpointStage.nextOffset(List.of())).as("an empty page moves nothing").isEmpty();
  }

  @Test
  void anOrderedPageMovesTheOffsetToWhereItsReadSaysWhenThatIsLater() {
    Optional<Offset> byRecords = CheckpointStage.nextOffset(page);
    Offset windowEnd = new Offset.Watermark(Instant.parse("2026-11-24T10:05:00Z"), "");
    assertThat(CheckpointStage.later(byRecords, Optional.of(windowEnd))).contains(windowEnd);
    assertThat(
            CheckpointStage.later(
                byRecords,
                Optional.of(new Offset.Watermark(Instant.parse("2026-11-24T09:00:00Z"), ""))))
        .isEqualTo(byRecords);
    assertThat(CheckpointStage.later(Optional.empty(), Optional.of(windowEnd))).contains(windowEnd);
    assertThat(CheckpointStage.later(byRecords, Optional.empty())).isEqualTo(byRecords);
  }

  @Test
  void watermarksCompareByTimeThenId() {
    Offset.Watermark early = new Offset.Watermark(Instant.parse("2026-11-24T10:00:01Z"), "B");
    Offset.Watermark sameTimeLaterId =
        new Offset.Watermark(Instant.parse("2026-11-24T10:00:01Z"), "C");
    assertThat(CheckpointStage.isAfter(sameTimeLaterId, early)).isTrue();
    assertThat(CheckpointStage.isAfter(early, sameTimeLaterId)).isFalse();
    assertThat(CheckpointStage.isAfter(early, early)).isFalse();
  }
}
