package com.replaylake.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LakehouseTest {

  @TempDir Path dir;

  private final SparkSession spark = SparkTestSession.get();

  @Test
  void createsEveryTableWithItsContractAndIsIdempotent() {
    Lakehouse first = SparkTestSession.lakehouse(dir);
    for (TableContract contract : Tables.ALL) {
      assertThat(Files.isDirectory(dir.resolve("lakehouse/tables/" + contract.name() + "/_delta_log"))).isTrue();
      StructType schema = first.read(contract).schema();
      assertThat(List.of(schema.fieldNames())).containsExactlyElementsOf(contract.columnNames());
      assertThat(first.latestVersion(contract)).isZero();
    }
    Lakehouse again = SparkTestSession.lakehouse(dir);
    for (TableContract contract : Tables.ALL) {
      assertThat(again.latestVersion(contract)).as("reopen must not commit").isZero();
    }
  }

  @Test
  void columnDocsBecomeComments() {
    Lakehouse lakehouse = SparkTestSession.lakehouse(dir);
    StructType schema = lakehouse.read(Tables.PROMPTS).schema();
    assertThat(schema.apply(Columns.GOLD_ANSWER).getComment().get())
        .isEqualTo(Tables.PROMPTS.column(Columns.GOLD_ANSWER).orElseThrow().doc());
  }

  @Test
  void registersViewsThatSeeNewCommits() {
    Lakehouse lakehouse = SparkTestSession.lakehouse(dir);
    assertThat(SparkTestSession.sql("SELECT count(*) FROM evaluations").get(0).getLong(0)).isZero();
    spark.sql("INSERT INTO delta.`" + lakehouse.location(Tables.EVALUATIONS) + "` VALUES "
        + "('r1', 1, 'gsm8k', 'test', 10, 5, 0.5, 12.0, current_timestamp())");
    List<Row> rows = SparkTestSession.sql("SELECT run_id, pass_at_1 FROM evaluations");
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).getDouble(1)).isEqualTo(0.5);
  }

  @Test
  void wrongColumnTypeNamesTableColumnAndTypes() {
    Path table = dir.resolve("lakehouse/tables/evaluations");
    StructType wrong = Tables.EVALUATIONS.schema();
    StructType altered = new StructType();
    for (var f : wrong.fields()) {
      altered = altered.add(f.name(), f.name().equals(Columns.PASS_AT_1) ? DataTypes.StringType : f.dataType(), true);
    }
    spark.createDataFrame(List.of(), altered).write().format("delta").partitionBy(Columns.RUN_ID)
        .save(table.toString());
    assertThatThrownBy(() -> SparkTestSession.lakehouse(dir))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining("evaluations")
        .hasMessageContaining("pass_at_1")
        .hasMessageContaining("expected double")
        .hasMessageContaining("type string");
  }

  @Test
  void missingColumnIsNamed() {
    Path table = dir.resolve("lakehouse/tables/policy_versions");
    StructType partial = new StructType();
    for (var f : Tables.POLICY_VERSIONS.schema().fields()) {
      if (!f.name().equals(Columns.CHECKPOINT_URI)) {
        partial = partial.add(f);
      }
    }
    spark.createDataFrame(List.of(), partial).write().format("delta").partitionBy(Columns.RUN_ID)
        .save(table.toString());
    assertThatThrownBy(() -> SparkTestSession.lakehouse(dir))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining("policy_versions")
        .hasMessageContaining("checkpoint_uri is missing")
        .hasMessageContaining("expected string");
  }

  @Test
  void nullableColumnsAddedToAContractAreAddedToOldTables() {
    Path table = dir.resolve("lakehouse/tables/evaluations");
    StructType old = new StructType();
    for (var f : Tables.EVALUATIONS.schema().fields()) {
      if (!f.name().equals(Columns.MEAN_RESPONSE_LENGTH)) { // nullable in the contract
        old = old.add(f);
      }
    }
    spark.createDataFrame(List.of(), old).write().format("delta").partitionBy(Columns.RUN_ID).save(table.toString());
    Lakehouse lakehouse = SparkTestSession.lakehouse(dir);
    assertThat(List.of(lakehouse.read(Tables.EVALUATIONS).schema().fieldNames())).contains(Columns.MEAN_RESPONSE_LENGTH);
  }

  @Test
  void wrongPartitioningIsReported() {
    Path table = dir.resolve("lakehouse/tables/prompts");
    spark.createDataFrame(List.of(), Tables.PROMPTS.schema()).write().format("delta").partitionBy(Columns.SPLIT)
        .save(table.toString());
    assertThatThrownBy(() -> SparkTestSession.lakehouse(dir))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining("prompts")
        .hasMessageContaining("partitioned by [split], expected [dataset]");
  }

  @Test
  void foreignFolderIsNotOverwritten() throws Exception {
    Path table = dir.resolve("lakehouse/tables/rollouts");
    Files.createDirectories(table);
    Files.writeString(table.resolve("notes.txt"), "mine");
    assertThatThrownBy(() -> SparkTestSession.lakehouse(dir))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining("rollouts")
        .hasMessageContaining("not a Delta table");
    assertThat(Files.readString(table.resolve("notes.txt"))).isEqualTo("mine");
  }

  @Test
  void contractsAreWellFormed() {
    for (TableContract contract : Tables.ALL) {
      assertThat(contract.columns()).isNotEmpty();
      assertThat(Tables.byName(contract.name())).contains(contract);
      contract.columns().forEach(c -> assertThat(c.doc()).isNotBlank());
    }
    assertThat(Tables.ROLLOUTS.partitionColumns()).containsExactly(Columns.RUN_ID, Columns.POLICY_VERSION);
    assertThat(Tables.EXPERIENCES.partitionColumns()).containsExactly(Columns.RUN_ID, Columns.POLICY_VERSION);
    assertThat(Tables.byName("nope")).isEmpty();
  }

  @Test
  void sameTypeIgnoresNullabilityButNotElementTypes() {
    assertThat(Lakehouse.sameType(DataTypes.createArrayType(DataTypes.IntegerType, false),
        DataTypes.createArrayType(DataTypes.IntegerType, true))).isTrue();
    assertThat(Lakehouse.sameType(DataTypes.createArrayType(DataTypes.IntegerType, false),
        DataTypes.createArrayType(DataTypes.LongType, false))).isFalse();
  }
}
