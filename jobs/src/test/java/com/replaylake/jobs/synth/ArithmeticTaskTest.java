package com.replaylake.jobs.synth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replaylake.schemas.ReplayLakeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArithmeticTaskTest {
  @Test
  void numbersAreLittleEndianAndTheAnswerIsPadded() {
    ArithmeticTask.Problem p = new ArithmeticTask.Problem("x", "test", 123, 456);
    assertThat(p.prompt()).isEqualTo("321+654=");
    assertThat(p.answer(3)).isEqualTo("9750"); // 579 -> 0579 -> reversed
    assertThat(ArithmeticTask.reversedSum(999, 999, 3)).isEqualTo("8991"); // 1998
    assertThat(ArithmeticTask.reversedSum(100, 100, 3)).isEqualTo("0020"); // 200 -> 0200
  }

  @Test
  void splitsAreDisjointDeterministicAndSized() {
    var o = new ArithmeticTask.Options(2, 50, 300, 40, 3);
    Map<String, List<ArithmeticTask.Problem>> a = ArithmeticTask.generate(o);
    assertThat(a.get("sft")).hasSize(50);
    assertThat(a.get("train")).hasSize(300);
    assertThat(a.get("test")).hasSize(40);
    Set<String> pairs = new HashSet<>();
    a.values().forEach(ps -> ps.forEach(p -> {
      assertThat(p.a()).isBetween(10L, 99L);
      assertThat(p.b()).isBetween(10L, 99L);
      assertThat(pairs.add(p.a() + "+" + p.b())).as("pair repeated: %s+%s", p.a(), p.b()).isTrue();
    }));
    assertThat(ArithmeticTask.generate(o)).isEqualTo(a);
    assertThat(ArithmeticTask.generate(new ArithmeticTask.Options(2, 50, 300, 40, 4))).isNotEqualTo(a);
  }

  @Test
  void writesOneJsonlWithDemonstrationsOnlyInSft(@TempDir Path dir) throws Exception {
    Path file = ArithmeticTask.write(new ArithmeticTask.Options(2, 5, 7, 3, 1), dir.resolve("a.jsonl"));
    List<String> lines = Files.readAllLines(file);
    assertThat(lines).hasSize(15);
    ObjectMapper json = new ObjectMapper();
    for (String line : lines) {
      JsonNode n = json.readTree(line);
      assertThat(n.get("answer").asText()).hasSize(3);
      assertThat(n.has("solution")).isEqualTo(n.get("split").asText().equals("sft"));
    }
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(file); // no temporary file left behind
    }
  }

  @Test
  void refusesImpossibleSizes() {
    assertThatThrownBy(() -> new ArithmeticTask.Options(1, 30, 30, 30, 0)).isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining("--digits");
    assertThatThrownBy(() -> new ArithmeticTask.Options(3, 0, 30, 30, 0)).isInstanceOf(ReplayLakeException.class)
        .hasMessageContaining("--sft-examples");
  }
}
