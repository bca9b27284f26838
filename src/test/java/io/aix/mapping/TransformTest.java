package io.aix.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TransformTest {
  @Test
  void emailLowerCasesTheDomainOnlyAndRefusesJunk() {
    Transform email = new Transform.Email();
    assertThat(email.apply(" Ana.Silva@Example.COM ")).isEqualTo("Ana.Silva@example.com");
    assertThat(email.apply("anna@bücher.de"))
        .as("IDN domains in ASCII form")
        .isEqualTo("anna@xn--bcher-kva.de");
    assertThatThrownBy(() -> email.apply("josé@example.com"))
        .as("Salesforce e-mail fields refuse non-ASCII local parts")
        .hasMessageContaining("not a valid e-mail address");
    for (String bad :
        new String[] {
          "plain", "a@b", "@example.com", "a@.com", "a..b@example.com", "a@exa mple.com"
        }) {
      assertThatThrownBy(() -> email.apply(bad))
          .as(bad)
          .isInstanceOf(Transform.InvalidValueException.class);
    }
  }

  @Test
  void domainReducesUrlsAndAddresses() {
    Transform domain = new Transform.Domain();
    assertThat(domain.apply("HTTPS://www.Acme.io/pricing?x=1")).isEqualTo("acme.io");
    assertThat(domain.apply("sales@acme.co.uk")).isEqualTo("acme.co.uk");
    assertThatThrownBy(() -> domain.apply("n/a"))
        .hasMessageContaining("does not contain a domain name");
  }

  @Test
  void numbersDatesAndBooleansParseTheCrmsFormats() {
    assertThat(new Transform.NumberValue().apply("1,250.50")).isEqualTo(new BigDecimal("1250.50"));
    assertThat(new Transform.IntegerValue().apply(new BigDecimal("12.0"))).isEqualTo(12L);
    assertThatThrownBy(() -> new Transform.IntegerValue().apply("12.5"))
        .hasMessageContaining("whole number");
    assertThat(new Transform.DateTimeValue().apply("2026-03-01T10:00:00.000+0000"))
        .isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
    assertThat(new Transform.DateValue().apply("2026-03-01T23:30:00.000-0200"))
        .as("a date-time is cut to its UTC date")
        .isEqualTo(LocalDate.parse("2026-03-02"));
    assertThat(new Transform.BooleanValue().apply("Yes")).isEqualTo(true);
  }

  @Test
  void tablesPlaceholdersAndTruncation() {
    Transform map = new Transform.MapValues(Map.of("web", "Website"), "Other");
    assertThat(map.apply("WEB")).isEqualTo("Website");
    assertThat(map.apply("Fax")).isEqualTo("Other");
    assertThat(new Transform.NullIf(Set.of("Select")).apply("select")).isNull();
    assertThat(new Transform.Truncate(3).apply("ab😀cd"))
        .as("never splits a surrogate pair")
        .isEqualTo("ab");
  }

  @Test
  void controlCharactersAndLoneSurrogatesAreCleaned() {
    assertThat(LeadMapper.clean("a\u0000b\u0007c\td")).isEqualTo("abc\td");
    assertThat(LeadMapper.clean("x\uD800y")).isEqualTo("x\uFFFDy");
    assertThat(LeadMapper.clean("plain")).isSameAs("plain");
  }

  @Test
  void collapsingSpacesWithoutThePatternGivesWhatThePatternGives() {
    Transform collapse = new Transform.CollapseSpaces();
    java.util.regex.Pattern spaces = java.util.regex.Pattern.compile("\\s+");
    String alphabet = "ab \t\n\u000B\f\r\u00A0\u2003é";
    java.util.Random random = new java.util.Random(3);
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      for (int n = random.nextInt(12); n > 0; n--) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String text = s.toString();
      assertThat(collapse.apply(text))
          .as("%s", text.chars().mapToObj(Integer::toHexString).toList())
          .isEqualTo(spaces.matcher(text.strip()).replaceAll(" "));
    }
    assertThat(collapse.apply("  Vice   President\tSales ")).isEqualTo("Vice President Sales");
  }
}
