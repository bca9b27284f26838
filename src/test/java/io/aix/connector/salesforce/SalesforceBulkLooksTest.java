package io.aix.connector.salesforce;

import static org.assertj.core.api.Assertions.assertThat;

import io.aix.connector.PollPage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.component.salesforce.api.dto.bulkv2.JobStateEnum;
import org.apache.camel.component.salesforce.api.dto.bulkv2.QueryJob;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Each look at a running Bulk API 2.0 query job is an API call: the first job is looked at after 2
 * s, then 2 s doubling; a later job first when the earlier one's pace says it ends.
 */
class SalesforceBulkLooksTest {
  final DefaultCamelContext camel = new DefaultCamelContext();
  final List<String> looks = new ArrayList<>();

  /** Each look's time after its job's creation (ms). */
  final List<Long> lookedAfter = new ArrayList<>();

  /** Jobs complete this long after their creation. */
  static final long JOB_MILLIS = 3_000;

  /** Records per job: enough for a job to teach its pace. */
  static final long ROWS = 20_000;

  long createdAt;
  int jobs;

  /** The org gives each complete job's {@code totalProcessingTime}. */
  boolean orgTimesJobs;

  @AfterEach
  void close() throws Exception {
    camel.close();
  }

  private Exchange reply(Object body) {
    Exchange e = new DefaultExchange(camel);
    e.getMessage().setBody(body);
    return e;
  }

  private Exchange call(String operation, Object body, Map<String, String> headers) {
    QueryJob job = new QueryJob();
    switch (operation) {
      case "bulk2CreateQueryJob" -> {
        createdAt = System.currentTimeMillis();
        job.setId("750Q" + ++jobs);
        return reply(job);
      }
      case "bulk2GetQueryJob" -> {
        looks.add(headers.get("jobId"));
        lookedAfter.add(System.currentTimeMillis() - createdAt);
        boolean done = System.currentTimeMillis() - createdAt >= JOB_MILLIS;
        job.setId(headers.get("jobId"));
        job.setState(done ? JobStateEnum.JOB_COMPLETE : JobStateEnum.IN_PROGRESS);
        job.setNumberRecordsProcessed(done ? ROWS : 0L);
        if (done && orgTimesJobs) {
          job.setTotalProcessingTime(JOB_MILLIS);
        }
        return reply(job);
      }
      case "bulk2GetQueryJobResults" -> {
        Exchange e = reply("Id,SystemModstamp\n");
        e.getMessage().setHeader("Sforce-Locator", "null");
        return e;
      }
      default -> throw new IllegalArgumentException(operation);
    }
  }

  private void read(SalesforceBulk bulk) {
    PollPage page = bulk.startQuery("SELECT Id, SystemModstamp FROM Lead", ROWS);
    String token = page.nextPageToken();
    while (token != null) {
      page = bulk.next("Lead", token, Map.of(), Duration.ofMinutes(1));
      token = page.nextPageToken();
    }
  }

  @Test
  void aLaterJobIsFirstLookedAtWhenTheEarlierOnesPaceSaysItEnds() {
    SalesforceBulk bulk = new SalesforceBulk("sf", this::call);
    bulk.waitPerCall(Duration.ofSeconds(60));
    read(bulk);
    // After 2 s, then 2 s later (once, on a machine too busy to look before the job ended).
    assertThat(looks).hasSizeBetween(1, 2).containsOnly("750Q1");
    looks.clear();
    lookedAfter.clear();
    read(bulk);
    // The first job took at least 3 s to be seen complete: four fifths of that pace is 2.4 s or
    // more for as many rows, where the first job was looked at after 2 s. (A busy machine only
    // makes looks later.)
    assertThat(lookedAfter.get(0))
        .as("the second job's first look, by the first one's pace")
        .isGreaterThanOrEqualTo(2_400L);
    assertThat(looks).containsOnly("750Q2");
  }

  @Test
  void withTheOrgsOwnProcessingTimeALaterJobIsLookedAtOnceWhenItEnds() {
    orgTimesJobs = true;
    SalesforceBulk bulk = new SalesforceBulk("sf", this::call);
    bulk.waitPerCall(Duration.ofSeconds(60));
    read(bulk);
    looks.clear();
    lookedAfter.clear();
    read(bulk);
    // 3 s of processing for as many rows, and a second: one look, once the job is complete (the
    // second is a margin for the clocks; the look waits for it, give or take a millisecond).
    assertThat(lookedAfter.get(0)).isGreaterThanOrEqualTo(JOB_MILLIS);
    assertThat(looks).containsExactly("750Q2");
  }
}
