package io.aix.connector.salesforce;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One Salesforce Change Data Capture event as the Camel Salesforce streaming consumer hands it over
 * with {@code rawPayload=true}: the Bayeux message ({@code data.payload.ChangeEventHeader}, the
 * changed values, {@code data.event.replayId} and {@code EventUuid}). Parsing checks every part AIX
 * relies on, so a malformed event is refused with its reason instead of half-read.
 *
 * @param key what de-duplicates the event: its UUID, or its transaction key and sequence number
 *     when the message carries no UUID (both identify one change, unlike the replay id)
 * @param recordIds the changed records; empty only for {@code GAP_OVERFLOW}
 * @param changedFields the fields an update changed ({@code LastModifiedDate} included)
 * @param changeOrigin the API and client that made the change ({@code ...;client=<name>})
 * @param commitUser the id of the user who made the change (AIX's integration user for its echoes)
 */
public record ChangeEvent(
    long replayId,
    String key,
    String entity,
    String changeType,
    List<String> recordIds,
    List<String> changedFields,
    String changeOrigin,
    String commitUser,
    Instant committedAt) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Change types Salesforce publishes; GAP_ ones carry no field values (re-read the records). */
  static final Set<String> TYPES =
      Set.of(
          "CREATE",
          "UPDATE",
          "DELETE",
          "UNDELETE",
          "GAP_CREATE",
          "GAP_UPDATE",
          "GAP_DELETE",
          "GAP_UNDELETE",
          "GAP_OVERFLOW");

  private static final Pattern RECORD_ID = SalesforceConnector.RECORD_ID;

  /** Fields Salesforce changes along with any write: they do not make a change AIX's or not. */
  static final Set<String> SYSTEM_FIELDS =
      Set.of("LastModifiedDate", "LastModifiedById", "SystemModstamp");

  /** Why an event was refused; {@code replayId} is empty when even that could not be read. */
  public static final class Malformed extends Exception {
    private final String code;
    private final OptionalLong replayId;

    Malformed(String code, String message, OptionalLong replayId) {
      super(message);
      this.code = code;
      this.replayId = replayId;
    }

    public String code() {
      return code;
    }

    public OptionalLong replayId() {
      return replayId;
    }
  }

  public boolean isDeletion() {
    return changeType.equals("DELETE") || changeType.equals("GAP_DELETE");
  }

  /** Over 100,000 changes in one transaction: no record ids; the entity must be re-read. */
  public boolean isOverflow() {
    return changeType.equals("GAP_OVERFLOW");
  }

  /**
   * The change is AIX's own write coming back: an update whose changed fields are only AIX's fields
   * (and the system fields every write touches), or one made through AIX's API client.
   */
  public boolean isEcho(Set<String> aixFields, String aixClient) {
    if (!changeType.equals("UPDATE")) {
      return false;
    }
    if (changeOrigin != null && changeOrigin.contains(";client=" + aixClient)) {
      return true;
    }
    return !changedFields.isEmpty()
        && changedFields.stream().allMatch(f -> aixFields.contains(f) || SYSTEM_FIELDS.contains(f))
        && changedFields.stream().anyMatch(aixFields::contains);
  }

  /**
   * Reads the raw message of a change event on {@code /data/<entity>ChangeEvent} or on a custom
   * channel that carries the entity.
   *
   * @throws Malformed with a code and reason for anything AIX cannot act on
   */
  public static ChangeEvent parse(String raw, String entity) throws Malformed {
    JsonNode message;
    try {
      message = JSON.readTree(raw == null ? "" : raw);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new Malformed("MALFORMED_EVENT", "not JSON: " + e.getOriginalMessage(), none());
    } catch (IOException e) {
      throw new Malformed("MALFORMED_EVENT", "not JSON: " + e.getMessage(), none());
    }
    if (message == null || !message.isObject()) {
      throw new Malformed("MALFORMED_EVENT", "not a JSON object", none());
    }
    JsonNode data = message.has("data") ? message.get("data") : message;
    JsonNode replay = data.path("event").path("replayId");
    if (!replay.canConvertToLong() || replay.asLong() <= 0) {
      throw new Malformed("MALFORMED_EVENT", "no replay id in data.event.replayId", none());
    }
    OptionalLong replayId = OptionalLong.of(replay.asLong());
    JsonNode header = data.path("payload").path("ChangeEventHeader");
    if (!header.isObject()) {
      throw new Malformed("MALFORMED_EVENT", "no ChangeEventHeader in the payload", replayId);
    }
    String eventEntity = header.path("entityName").asText("");
    if (!eventEntity.equals(entity)) {
      throw new Malformed(
          "WRONG_ENTITY",
          "a change of '" + eventEntity + "' on the channel read for " + entity,
          replayId);
    }
    String type = header.path("changeType").asText("");
    if (!TYPES.contains(type)) {
      throw new Malformed("UNKNOWN_CHANGE_TYPE", "unknown changeType '" + type + "'", replayId);
    }
    List<String> ids = new ArrayList<>();
    for (JsonNode id : header.path("recordIds")) {
      if (!id.isTextual() || !RECORD_ID.matcher(id.asText()).matches()) {
        throw new Malformed(
            "BAD_RECORD_ID", "recordIds holds " + id + ", not a Salesforce record id", replayId);
      }
      ids.add(id.asText());
    }
    if (ids.isEmpty() && !type.equals("GAP_OVERFLOW")) {
      throw new Malformed("BAD_RECORD_ID", "a " + type + " event without recordIds", replayId);
    }
    JsonNode stamp = header.path("commitTimestamp");
    if (!stamp.canConvertToLong() || stamp.asLong() <= 0) {
      throw new Malformed("MALFORMED_EVENT", "no commitTimestamp in the header", replayId);
    }
    List<String> changed = new ArrayList<>();
    header.path("changedFields").forEach(f -> changed.add(f.asText()));
    String uuid = data.path("event").path("EventUuid").asText("");
    String key =
        !uuid.isBlank()
            ? uuid
            : header.path("transactionKey").asText("")
                + ":"
                + header.path("sequenceNumber").asInt();
    if (key.equals(":0")) {
      throw new Malformed(
          "MALFORMED_EVENT", "neither EventUuid nor transactionKey to tell it apart", replayId);
    }
    return new ChangeEvent(
        replayId.getAsLong(),
        key,
        eventEntity,
        type,
        List.copyOf(ids),
        List.copyOf(changed),
        header.path("changeOrigin").asText(null),
        header.path("commitUser").asText(""),
        Instant.ofEpochMilli(stamp.asLong()));
  }

  private static OptionalLong none() {
    return OptionalLong.empty();
  }
}
