package io.aix.connector.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.aix.persistence.PushEventStore.PushEvent;
import io.aix.profile.CrmProfile;
import io.aix.profile.SecretRef;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One webhook URL serves every portal an app is installed in: each event goes to the profile that
 * declares its portal, and only there.
 */
class WebhookRoutingTest {
  private static CrmProfile profile(String id, long portal) {
    SecretRef secret = new SecretRef("HS_SECRET", id + ".yaml", 1);
    return new CrmProfile(
        id,
        "hubspot",
        id + ".yaml",
        new CrmProfile.Connection(
            "https://api.hubapi.com", null, new CrmProfile.Auth.PrivateApp(secret), 1, portal),
        List.of(
            new CrmProfile.ObjectSync(
                "contacts", "hubspot-contact", Duration.ofSeconds(30), Duration.ZERO, 200, 1)),
        new CrmProfile.Writeback(true, 100, List.of("aix_score")),
        "default-rules",
        new CrmProfile.Limits(250_000),
        Optional.of(new CrmProfile.Webhooks(secret, Optional.empty())),
        CrmProfile.Tasks.OFF,
        CrmProfile.ModelSettings.DEFAULT,
        CrmProfile.Privacy.DEFAULT);
  }

  private static String event(long eventId, long portal, String type, long objectId) {
    return "{\"eventId\":%d,\"subscriptionId\":1,\"portalId\":%d,\"appId\":54321,\"occurredAt\":1764547200000,\"subscriptionType\":\"%s\",\"attemptNumber\":0,\"objectId\":%d}"
        .formatted(eventId, portal, type, objectId);
  }

  @Test
  void eachEventGoesToTheProfileOfItsPortalAndUnknownPortalsAreRefused() throws Exception {
    Map<Long, CrmProfile> byPortal = Map.of(100L, profile("eu", 100), 200L, profile("us", 200));
    String body =
        "["
            + event(1, 100, "contact.privacyDeletion", 42)
            + ","
            + event(2, 200, "contact.creation", 42)
            + ","
            + event(3, 300, "contact.privacyDeletion", 42)
            + "]";
    List<PushEvent> out = new ArrayList<>();

    HubSpotWebhookResource.Routed routed = HubSpotWebhookResource.parse(byPortal, body, out);

    assertThat(out)
        .extracting(e -> e.profileId() + "/" + e.crmId() + "/" + e.kind())
        .containsExactly("eu/42/contact.privacyDeletion", "us/42/contact.creation");
    assertThat(routed.refused()).isOne();
    assertThat(routed.unknownPortals()).isEqualTo(Set.of(300L));
  }

  @Test
  void anEventWithoutItsPortalIsMalformed() {
    String body =
        "[{\"eventId\":1,\"occurredAt\":1,\"subscriptionType\":\"contact.creation\",\"objectId\":5}]";
    assertThatThrownBy(
            () ->
                HubSpotWebhookResource.parse(
                    Map.of(100L, profile("eu", 100)), body, new ArrayList<>()))
        .isInstanceOf(HubSpotWebhookResource.MalformedDelivery.class)
        .hasMessageContaining("portalId");
  }
}
