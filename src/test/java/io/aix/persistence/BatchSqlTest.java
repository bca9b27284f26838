package io.aix.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Rows go to PostgreSQL as one typed array per column, in one statement text whatever their number.
 */
class BatchSqlTest {
  private static final String[] TYPES = {"bigint", "integer", "varchar", "timestamptz", "boolean"};

  @Test
  void valuesBecomeAnUnnestOfTypedArrays() {
    String sql =
        BatchSql.statement(
            "delete from work_item w using (values %s) as v(id, revision, a, b, c)"
                + " where w.id = v.id",
            TYPES);
    assertThat(sql)
        .isEqualTo(
            "delete from work_item w using (select * from unnest(cast($1 as bigint[]),"
                + " cast($2 as integer[]), cast($3 as varchar[]), cast($4 as timestamptz[]),"
                + " cast($5 as boolean[]))) as v(id, revision, a, b, c) where w.id = v.id");
  }

  @Test
  void eachColumnIsAnArrayOfItsJavaType() {
    OffsetDateTime at = OffsetDateTime.of(2026, 12, 1, 8, 0, 0, 0, ZoneOffset.UTC);
    Object[] columns =
        BatchSql.arrays(
            TYPES,
            List.of(new Object[] {1L, 2, "a", at, true}, new Object[] {3, 4L, null, null, false}),
            row -> row);
    assertThat(columns[0]).as("bigint, from any number").isEqualTo(new Long[] {1L, 3L});
    assertThat(columns[1]).as("integer, from any number").isEqualTo(new Integer[] {2, 4});
    assertThat(columns[2]).as("a null stays null").isEqualTo(new String[] {"a", null});
    assertThat(columns[3]).isEqualTo(new OffsetDateTime[] {at, null});
    assertThat(columns[4]).isEqualTo(new Boolean[] {true, false});
  }

  @Test
  void aTemplateWithoutRowsIsRefused() {
    assertThatThrownBy(() -> BatchSql.statement("delete from lead where id = ?", TYPES))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
