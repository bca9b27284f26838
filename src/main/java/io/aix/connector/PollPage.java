package io.aix.connector;

import io.aix.lead.CrmRecord;
import java.util.List;

/**
 * One page of changed records.
 *
 * <p>An ordered page (the REST path) holds records in the CRM's order, ascending modification stamp
 * then id: the offset moves to its last record. An unordered page (a bulk query's, whose results
 * come in no order) does not move the offset by its records: it moves only to {@code offsetAfter}
 * when that is given, which a bulk read gives on its last page (the newest stamp it saw); a crash
 * before then reads the whole job again, and the processed keys drop what was queued before.
 *
 * @param nextPageToken where the next page of the same query starts, or null when this was the last
 */
public record PollPage(
    List<CrmRecord> records, String nextPageToken, boolean ordered, Offset offsetAfter) {
  public PollPage(List<CrmRecord> records, String nextPageToken) {
    this(records, nextPageToken, true, null);
  }

  public boolean hasMore() {
    return nextPageToken != null;
  }
}
