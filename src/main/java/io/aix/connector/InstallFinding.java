package io.aix.connector;

/**
 * One line of {@code ./aix install check}: a field, property, object permission or API scope AIX
 * needs in a CRM, whether it is there, and what to do when it is not.
 *
 * @param item what is checked, e.g. {@code Lead.AIX_Score__c} or {@code scope
 *     crm.objects.contacts.write}
 * @param ok present and usable as AIX needs it
 * @param detail what the CRM reports (type, access), or what is wrong
 * @param fix what the admin does about it; empty when {@code ok}
 */
public record InstallFinding(String item, boolean ok, String detail, String fix) {
  public static InstallFinding ok(String item, String detail) {
    return new InstallFinding(item, true, detail, "");
  }

  public static InstallFinding missing(String item, String detail, String fix) {
    return new InstallFinding(item, false, detail, fix);
  }
}
