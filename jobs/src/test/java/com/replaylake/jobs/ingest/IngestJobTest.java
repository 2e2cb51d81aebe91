package com.replaylake.jobs.ingest;

import static com.replaylake.schemas.Columns.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.ReplayLakeException;
import com.replaylake.schemas.SparkTestSession;
import com.replaylake.schemas.Tables;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestJobTest {

  @TempDir static Path dir;

  private final SparkSession spark = SparkTestSession.get();
  private Lakehouse lakehouse;

  @BeforeAll
  void ingestSamples() {
    lakehouse = SparkTestSession.lakehouse(dir);
    for (IngestJob.Options sample : IngestJob.SAMPLES) {
      IngestJob.run(lakehouse, sample);
    }
  }

  private long count(String where) {
    return lakehouse.read(Tables.PROMPTS).where(where).count();
  }

  @Test
  void bundledSamplesHaveTheDocumentedCounts() {
    assertThat(count("dataset = 'gsm8k' AND split = 'test'")).isEqualTo(1319);
    assertThat(count("dataset = 'math' AND split = 'test'")).isEqualTo(500);
    assertThat(lakehouse.read(Tables.PROMPTS).select(PROMPT_ID).distinct().count()).isEqualTo(1819);
  }

  @Test
  void gsm8kGoldIsTheNumberAfterHashesWithoutCommas() throws Exception {
    Map<String, String> expected = new HashMap<>();
    try (var reader = new BufferedReader(new InputStreamReader(
        Objects.requireNonNull(getClass().getClassLoader().getResourceAsStream("samples/gsm8k_test.jsonl")),
        StandardCharsets.UTF_8))) {
      String line;
      int lineNo = 0;
      var json = new com.fasterxml.jackson.databind.ObjectMapper();
      while ((line = reader.readLine()) != null) {
        lineNo++;
        String answer = json.readTree(line).get("answer").asText();
        String gold = answer.substring(answer.indexOf("#### ") + 5).trim().replace(",", "");
        expected.put("test-" + lineNo, gold);
      }
    }
    List<Row> rows = lakehouse.read(Tables.PROMPTS).where("dataset = 'gsm8k'")
        .select(SOURCE_ID, GOLD_ANSWER, REFERENCE_RESPONSE).collectAsList();
    assertThat(rows).hasSize(1319);
    long withComma = 0;
    for (Row row : rows) {
      assertThat(row.getString(1)).isEqualTo(expected.get(row.getString(0))).matches("-?[0-9]+");
      assertThat(row.getString(2)).doesNotContain("<<").doesNotContain(">>").contains("####");
    }
    for (String gold : expected.values()) {
      withComma += gold.length() > 3 ? 1 : 0;
    }
    assertThat(withComma).isPositive();
    assertThat(lakehouse.read(Tables.PROMPTS).where("source_id = 'test-1' AND dataset = 'gsm8k'")
        .select(GOLD_ANSWER).head().getString(0)).isEqualTo("18");
    // 14 test answers carry a thousands separator in the source; all stored without it
    assertThat(count("dataset = 'gsm8k' AND gold_answer LIKE '%,%'")).isZero();
    assertThat(count("dataset = 'gsm8k' AND length(gold_answer) >= 4")).isGreaterThanOrEqualTo(14);
  }

  @Test
  void mathKeepsLatexGoldAndMetadata() {
    assertThat(count("dataset = 'math' AND (gold_answer IS NULL OR trim(gold_answer) = '')")).isZero();
    assertThat(count("dataset = 'math' AND metadata['subject'] IS NOT NULL AND metadata['level'] IS NOT NULL "
        + "AND source_id = metadata['unique_id'] AND reference_response LIKE '%boxed%'")).isEqualTo(500);
    assertThat(count("dataset = 'math' AND metadata['subject'] = 'Algebra'")).isEqualTo(124);
    assertThat(count("dataset = 'math' AND metadata['level'] = '5'")).isEqualTo(134);
    assertThat(count("dataset = 'math' AND gold_answer = '\\\\frac{14}{3}'")).isPositive();
  }

  @Test
  void reingestingTheSameFileChangesNothing() {
    long before = lakehouse.read(Tables.PROMPTS).count();
    List<Row> snapshot = lakehouse.read(Tables.PROMPTS).orderBy(PROMPT_ID).collectAsList();
    IngestJob.Result again = IngestJob.run(lakehouse, IngestJob.SAMPLES.get(1));
    assertThat(again.inserted()).isZero();
    assertThat(again.updated()).isZero();
    assertThat(again.unchanged()).isEqualTo(500);
    assertThat(lakehouse.read(Tables.PROMPTS).count()).isEqualTo(before);
    assertThat(lakehouse.read(Tables.PROMPTS).orderBy(PROMPT_ID).collectAsList()).isEqualTo(snapshot);
  }

  @Test
  void changedRecordsAreUpdatedInPlace(@TempDir Path tmp) throws Exception {
    Lakehouse own = SparkTestSession.lakehouse(tmp);
    Path file = tmp.resolve("toy_train.jsonl");
    Files.writeString(file, "{\"id\":\"a\",\"q\":\"1+1?\",\"a\":\"2\"}\n{\"id\":\"b\",\"q\":\"2+2?\",\"a\":4}\n");
    FieldMapping mapping = new FieldMapping("q", "a", "id", null, List.of());
    IngestJob.Options options = new IngestJob.Options("toy", SourceFormat.JSONL, file.toString(), null, mapping);
    IngestJob.Result first = IngestJob.run(own, options);
    assertThat(first.inserted()).isEqualTo(2);
    assertThat(first.recordsByDatasetSplit()).containsEntry("toy/train", 2L);
    Files.writeString(file, "{\"id\":\"a\",\"q\":\"1+1?\",\"a\":\"2\"}\n{\"id\":\"b\",\"q\":\"2+2?\",\"a\":\"four\"}\n"
        + "{\"id\":\"c\",\"q\":\"3+3?\",\"a\":\"6\"}\n");
    IngestJob.Result second = IngestJob.run(own, options);
    assertThat(second.inserted()).isEqualTo(1);
    assertThat(second.updated()).isEqualTo(1);
    assertThat(second.unchanged()).isEqualTo(1);
    assertThat(own.read(Tables.PROMPTS).where("source_id = 'b'").select(GOLD_ANSWER).head().getString(0)).isEqualTo("four");
    assertThat(own.read(Tables.PROMPTS).count()).isEqualTo(3);
  }

  private void assertNothingWritten(Path file, String content, IngestJob.Options options, String... messageParts) throws Exception {
    Files.writeString(file, content);
    long version = lakehouse.latestVersion(Tables.PROMPTS);
    long rows = lakehouse.read(Tables.PROMPTS).count();
    var thrown = assertThatThrownBy(() -> IngestJob.run(lakehouse, options)).isInstanceOf(ReplayLakeException.class);
    for (String part : messageParts) {
      thrown.hasMessageContaining(part);
    }
    assertThat(lakehouse.latestVersion(Tables.PROMPTS)).as("Delta version must not move").isEqualTo(version);
    assertThat(lakehouse.read(Tables.PROMPTS).count()).isEqualTo(rows);
  }

  @Test
  void malformedJsonNamesFileLineAndColumnAndWritesNothing(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("bad_test.jsonl");
    String good = "{\"question\":\"q\",\"answer\":\"x\\n#### 5\"}\n";
    assertNothingWritten(file, good + good.replace("q\"", "q2\"") + "{\"question\": \"q3\", \"answer\" \"#### 1\"}\n",
        new IngestJob.Options("bad", SourceFormat.GSM8K, file.toString(), "test", null),
        file.toString() + ":3:", "malformed JSON", "Nothing was written");
  }

  @Test
  void missingFieldNamesLineAndField(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("m.jsonl");
    assertNothingWritten(file, "{\"problem\":\"p\",\"answer\":\"1\"}\n{\"problem\":\"p2\",\"solution\":\"s\"}\n",
        new IngestJob.Options("m", SourceFormat.MATH, file.toString(), "test", null),
        file + ":2", "field answer: is missing");
  }

  @Test
  void gsm8kWithoutHashesIsRejected(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("g.jsonl");
    assertNothingWritten(file, "{\"question\":\"q\",\"answer\":\"no marker\"}\n",
        new IngestJob.Options("g", SourceFormat.GSM8K, file.toString(), "test", null),
        file + ":1", "field answer", "####");
  }

  @Test
  void wrongFieldTypeAndDuplicatesAreRejected(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("d.jsonl");
    FieldMapping mapping = new FieldMapping(null, null, "id", null, null);
    assertNothingWritten(file, "{\"id\":1,\"prompt\":\"p\",\"answer\":\"1\"}\n{\"id\":1,\"prompt\":\"p\",\"answer\":\"1\"}\n",
        new IngestJob.Options("d", SourceFormat.JSONL, file.toString(), null, mapping),
        file + ":2", "duplicate source id '1'", "first seen at " + file + ":1");
    assertNothingWritten(file, "{\"id\":1,\"prompt\":[\"p\"],\"answer\":\"1\"}\n",
        new IngestJob.Options("d", SourceFormat.JSONL, file.toString(), null, mapping),
        file + ":1", "field prompt", "expected a string, found array");
  }

  @Test
  void unreadableFileIsNamed(@TempDir Path tmp) {
    String missing = tmp.resolve("nope.jsonl").toString();
    assertThatThrownBy(() -> IngestJob.run(lakehouse, new IngestJob.Options("x", SourceFormat.GSM8K, missing, null, null)))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining(missing);
  }

  @Test
  void invalidUtf8IsReportedWithItsLine(@TempDir Path tmp) throws Exception {
    Path file = tmp.resolve("u.jsonl");
    Files.write(file, new byte[] {'{', '"', 'p', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'});
    long version = lakehouse.latestVersion(Tables.PROMPTS);
    assertThatThrownBy(() -> IngestJob.run(lakehouse, new IngestJob.Options("u", SourceFormat.JSONL, file.toString(), null, null)))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining(file + ":1")
        .hasMessageContaining("UTF-8");
    assertThat(lakehouse.latestVersion(Tables.PROMPTS)).isEqualTo(version);
  }

  @Test
  void genericParquetWithNestedFieldMapping(@TempDir Path tmp) throws Exception {
    Lakehouse own = SparkTestSession.lakehouse(tmp);
    Path json = tmp.resolve("src.json");
    Files.writeString(json, "{\"uid\":\"u1\",\"text\":\"What is 6*7?\",\"label\":{\"value\":42},\"src\":\"mul\",\"sol\":\"6*7=42\"}\n"
        + "{\"uid\":\"u2\",\"text\":\"What is 2^10?\",\"label\":{\"value\":1024},\"src\":\"pow\",\"sol\":null}\n");
    String parquet = tmp.resolve("src.parquet").toString();
    spark.read().json(json.toString()).coalesce(1).write().parquet(parquet);
    FieldMapping mapping = new FieldMapping("text", "label.value", "uid", "sol", List.of("src"));
    IngestJob.Result r = IngestJob.run(own, new IngestJob.Options("toyp", SourceFormat.PARQUET, parquet, "train", mapping));
    assertThat(r.records()).isEqualTo(2);
    Row row = own.read(Tables.PROMPTS).where("source_id = 'u2'").head();
    assertThat(row.<String>getAs(GOLD_ANSWER)).isEqualTo("1024");
    assertThat(row.<String>getAs(PROMPT)).isEqualTo("What is 2^10?");
    assertThat(row.isNullAt(row.fieldIndex(REFERENCE_RESPONSE))).isTrue();
    assertThat(own.read(Tables.PROMPTS).where("metadata['src'] = 'mul' AND reference_response = '6*7=42'").count()).isEqualTo(1);

    FieldMapping wrong = new FieldMapping("question", "label.value", "uid", null, null);
    long version = own.latestVersion(Tables.PROMPTS);
    assertThatThrownBy(() -> IngestJob.run(own, new IngestJob.Options("toyp", SourceFormat.PARQUET, parquet, "train", wrong)))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining(parquet + " row 1 field question");
    assertThat(own.latestVersion(Tables.PROMPTS)).isEqualTo(version);
  }

  @Test
  void verlParquetSchema(@TempDir Path tmp) throws Exception {
    Lakehouse own = SparkTestSession.lakehouse(tmp);
    Path json = tmp.resolve("verl.json");
    Files.writeString(json,
        "{\"data_source\":\"openai/gsm8k\",\"prompt\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
            + "{\"role\":\"user\",\"content\":\"Q1? Let's think step by step.\"}],\"ability\":\"math\","
            + "\"reward_model\":{\"style\":\"rule\",\"ground_truth\":\"72\"},\"extra_info\":{\"split\":\"train\",\"index\":0}}\n"
            + "{\"data_source\":\"openai/gsm8k\",\"prompt\":[{\"role\":\"user\",\"content\":\"Q2?\"}],\"ability\":\"math\","
            + "\"reward_model\":{\"style\":\"rule\",\"ground_truth\":\"10\"},\"extra_info\":{\"split\":\"train\",\"index\":1}}\n");
    String parquet = tmp.resolve("train.parquet").toString();
    spark.read().json(json.toString()).coalesce(1).write().parquet(parquet);
    IngestJob.Result r = IngestJob.run(own, new IngestJob.Options(null, SourceFormat.VERL, parquet, null, null));
    assertThat(r.records()).isEqualTo(2);
    assertThat(r.recordsByDatasetSplit()).containsEntry("openai/gsm8k/train", 2L);
    Row first = own.read(Tables.PROMPTS).where("source_id = '0'").head();
    assertThat(first.<String>getAs(PROMPT)).isEqualTo("Q1? Let's think step by step.");
    assertThat(first.<String>getAs(GOLD_ANSWER)).isEqualTo("72");
    assertThat(first.<String>getAs(DATASET)).isEqualTo("openai/gsm8k");
    assertThat(own.read(Tables.PROMPTS).where("metadata['chat'] LIKE '%Be brief.%' AND metadata['ability'] = 'math' "
        + "AND metadata['extra_info.index'] = '0'").count()).isEqualTo(1);
    // idempotent
    IngestJob.Result again = IngestJob.run(own, new IngestJob.Options(null, SourceFormat.VERL, parquet, null, null));
    assertThat(again.unchanged()).isEqualTo(2);
    assertThat(own.read(Tables.PROMPTS).count()).isEqualTo(2);
  }

  @Test
  void splitIsInferredFromTheFileName() {
    assertThat(IngestJob.inferSplit("s3a://b/gsm8k_test.jsonl")).isEqualTo("test");
    assertThat(IngestJob.inferSplit("/d/valid.jsonl")).isEqualTo("validation");
    assertThat(IngestJob.inferSplit("/d/train.jsonl")).isEqualTo("train");
    assertThat(IngestJob.inferSplit("/d/problems.jsonl")).isEqualTo("train");
  }

  @Test
  void promptIdIsStableAndDatasetScoped() {
    assertThat(PromptRecord.promptId("gsm8k", "test-1")).isEqualTo(PromptRecord.promptId("gsm8k", "test-1")).hasSize(16);
    assertThat(PromptRecord.promptId("gsm8k", "test-1")).isNotEqualTo(PromptRecord.promptId("math", "test-1"));
    assertThat(PromptRecord.promptId("ab", "c")).isNotEqualTo(PromptRecord.promptId("a", "bc"));
  }
}
