package io.aix.lead;

import java.util.Objects;

/** Identifies one CRM record across AIX: the profile it came through, its object and its id. */
public record LeadKey(String profileId, String crmObject, String crmId) {
  public LeadKey {
    Objects.requireNonNull(profileId, "profileId");
    Objects.requireNonNull(crmObject, "crmObject");
    Objects.requireNonNull(crmId, "crmId");
  }

  @Override
  public String toString() {
    return profileId + "/" + crmObject + "/" + crmId;
  }
}
