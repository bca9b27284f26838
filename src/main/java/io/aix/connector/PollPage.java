package io.aix.connector;

import io.aix.lead.CrmRecord;
import java.util.List;

/**
 * One page of changed records, in the order the CRM returned them (ascending modification stamp,
 * then id).
 *
 * @param nextPageToken where the next page of the same query starts, or null when this was the last
 */
public record PollPage(List<CrmRecord> records, String nextPageToken) {
  public boolean hasMore() {
    return nextPageToken != null;
  }
}
