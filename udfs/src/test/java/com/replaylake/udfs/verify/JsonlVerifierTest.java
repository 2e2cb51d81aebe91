package com.replaylake.udfs.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replaylake.schemas.ReplayLakeException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonlVerifierTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private Path write(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, content, StandardCharsets.UTF_8);
    return p;
  }

  private static List<JsonNode> readJsonl(Path p) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
      out.add(JSON.readTree(line));
    }
    return out;
  }

  @Test
  void annotatesEveryRecordAndCountsStatuses() throws IOException {
    Path in = write("in.jsonl", String.join("\n",
        "{\"id\": 1, \"response\": \"so \\\\boxed{\\\\frac12}\", \"gold\": \"0.5\", \"meta\": {\"k\": [1]}}",
        "",
        "{\"id\": 2, \"response\": \"The answer is 7.\", \"gold\": \"8\"}",
        "{\"id\": 3, \"response\": \"about 42\", \"gold\": 42}",
        "{\"id\": 4, \"response\": \"\\\\boxed{5}\", \"gold\": null}",
        "{\"id\": 5, \"response\": null, \"gold\": \"1\", \"status\": \"stale\"}") + "\n");
    Path out = dir.resolve("sub/out.jsonl");
    JsonlVerifier.Summary s = JsonlVerifier.run(JsonlVerifier.Options.of(in, out, VerifyMode.STRICT),
        new StringWriter());
    assertThat(s.records()).isEqualTo(5);
    assertThat(s.count(VerifyStatus.CORRECT)).isEqualTo(1);
    assertThat(s.count(VerifyStatus.INCORRECT)).isEqualTo(1);
    assertThat(s.count(VerifyStatus.NO_ANSWER)).isEqualTo(2);
    assertThat(s.count(VerifyStatus.INVALID_GOLD)).isEqualTo(1);
    assertThat(s.count(VerifyStatus.TIMEOUT)).isZero();
    assertThat(s.meanReward()).isEqualTo(0.25);
    List<JsonNode> records = readJsonl(out);
    assertThat(records).hasSize(5);
    JsonNode first = records.get(0);
    Iterator<String> names = first.fieldNames();
    List<String> order = new ArrayList<>();
    names.forEachRemaining(order::add);
    assertThat(order).containsExactly("id", "response", "gold", "meta", "reward", "status", "extracted");
    assertThat(first.get("reward").asDouble()).isEqualTo(1.0);
    assertThat(first.get("status").asText()).isEqualTo("correct");
    assertThat(first.get("extracted").asText()).isEqualTo("\\frac12");
    assertThat(first.get("meta").get("k").get(0).asInt()).isEqualTo(1);
    assertThat(records.get(2).get("status").asText()).isEqualTo("no_answer");
    assertThat(records.get(3).get("reward").isNull()).isTrue();
    assertThat(records.get(3).get("status").asText()).isEqualTo("invalid_gold");
    assertThat(records.get(4).get("status").asText()).isEqualTo("no_answer");
    assertThat(records.get(4).get("extracted").isNull()).isTrue();
    assertThat(s.render(in, VerifyMode.STRICT)).contains("correct", "invalid_gold", "mean reward 0.2500");
    try (Stream<Path> files = Files.list(out.getParent())) {
      assertThat(files).containsExactly(out);
    }
  }

  @Test
  void lenientModeAndCustomFieldNames() throws IOException {
    Path in = write("in.jsonl", "{\"completion\": \"about 42\", \"answer\": \"42\"}\n");
    StringWriter stdout = new StringWriter();
    JsonlVerifier.Summary s = JsonlVerifier.run(new JsonlVerifier.Options(in, null, "completion",
        "answer", VerifierConfig.of(VerifyMode.LENIENT)), stdout);
    assertThat(s.count(VerifyStatus.CORRECT)).isEqualTo(1);
    JsonNode rec = JSON.readTree(stdout.toString());
    assertThat(rec.get("status").asText()).isEqualTo("correct");
    assertThat(rec.get("extracted").asText()).isEqualTo("42");
  }

  @Test
  void badJsonNamesFileLineAndColumnAndWritesNothing() throws IOException {
    Path in = write("bad.jsonl", "{\"response\": \"\\\\boxed{1}\", \"gold\": \"1\"}\n"
        + "{\"response\": \"x\", \"gold\": \"1\"}\n"
        + "{\"response\": \"x\", \"gold\" \"1\"}\n");
    Path out = write("out.jsonl", "previous content\n");
    assertThatThrownBy(() -> JsonlVerifier.run(JsonlVerifier.Options.of(in, out, VerifyMode.STRICT),
        new StringWriter()))
        .isInstanceOfSatisfying(ReplayLakeException.class, e -> {
          assertThat(e.getMessage()).contains(in + ":3:26", "invalid JSON", "Nothing was written");
          assertThat(e.parameters()).containsEntry("line", "3").containsEntry("column", "26");
          assertThat(e.exitCode()).isEqualTo(2);
        });
    assertThat(Files.readString(out)).isEqualTo("previous content\n");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("bad.jsonl", "out.jsonl");
    }
  }

  @Test
  void missingFieldNamesTheFieldAndTheFieldsPresent() throws IOException {
    Path in = write("in.jsonl", "{\"response\": \"x\", \"gold\": \"1\"}\n  {\"response\": \"x\", \"answer\": \"1\"}\n");
    Path out = dir.resolve("out.jsonl");
    assertThatThrownBy(() -> JsonlVerifier.run(JsonlVerifier.Options.of(in, out, VerifyMode.STRICT),
        new StringWriter()))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining(in + ":2:3")
        .hasMessageContaining("no field 'gold'")
        .hasMessageContaining("response, answer");
    assertThat(out).doesNotExist();
  }

  @Test
  void wrongFieldTypePointsAtTheValue() throws IOException {
    Path in = write("in.jsonl", "{\"response\": [\"x\"], \"gold\": \"1\"}\n");
    assertThatThrownBy(() -> JsonlVerifier.run(JsonlVerifier.Options.of(in, null, VerifyMode.STRICT),
        new StringWriter()))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining(in + ":1:14")
        .hasMessageContaining("must be a string, number or null, found array");
  }

  @Test
  void nonObjectsTrailingTokensAndDuplicateKeysAreRejected() throws IOException {
    for (String bad : List.of("[1, 2]", "\"just a string\"", "{\"response\": \"x\", \"gold\": \"1\"} {}",
        "{\"response\": \"x\", \"gold\": \"1\", \"gold\": \"2\"}")) {
      Path in = write("in.jsonl", bad + "\n");
      assertThatThrownBy(() -> JsonlVerifier.run(
          JsonlVerifier.Options.of(in, dir.resolve("o.jsonl"), VerifyMode.STRICT), new StringWriter()))
          .as(bad)
          .isInstanceOf(ReplayLakeException.class)
          .hasMessageContaining(in + ":1:");
      assertThat(dir.resolve("o.jsonl")).doesNotExist();
    }
  }

  @Test
  void invalidUtf8IsRejectedWithTheLine() throws IOException {
    Path in = dir.resolve("in.jsonl");
    byte[] good = "{\"response\": \"x\", \"gold\": \"1\"}\n".getBytes(StandardCharsets.UTF_8);
    byte[] bad = {'{', '"', 'r', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}', '\n'};
    byte[] all = new byte[good.length + bad.length];
    System.arraycopy(good, 0, all, 0, good.length);
    System.arraycopy(bad, 0, all, good.length, bad.length);
    Files.write(in, all);
    assertThatThrownBy(() -> JsonlVerifier.run(JsonlVerifier.Options.of(in, null, VerifyMode.STRICT),
        new StringWriter()))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining("not valid UTF-8");
  }

  @Test
  void missingInputFileIsAUserError() {
    Path in = dir.resolve("nope.jsonl");
    assertThatThrownBy(() -> JsonlVerifier.run(JsonlVerifier.Options.of(in, null, VerifyMode.STRICT),
        new StringWriter()))
        .isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining("nope.jsonl");
  }

  @Test
  void gsm8kSolutionsVerifyAgainstThemselves() throws IOException {
    Path in = dir.resolve("gsm8k.jsonl");
    try (InputStream data = getClass().getResourceAsStream("/data/gsm8k_test.jsonl")) {
      Files.copy(data, in);
    }
    JsonlVerifier.Summary s = JsonlVerifier.run(new JsonlVerifier.Options(in, dir.resolve("out.jsonl"),
        "answer", "answer", VerifierConfig.defaults()), new StringWriter());
    assertThat(s.records()).isEqualTo(1319);
    assertThat(s.count(VerifyStatus.CORRECT)).isEqualTo(1319);
  }
}
