package com.replaylake.policy.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.TestModels;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A committed micro Qwen2 checkpoint (made by {@link GoldenCheckpoint}) pins the on-disk format
 * and the numerics: it must keep loading to the same logits, and today's code must write it
 * byte for byte. The HF transformers cross-check will add a fixture of the same shape made by
 * HF itself (see docs/policy.md).
 */
class GoldenCheckpointTest {
  @TempDir Path tmp;

  private static Path golden() throws URISyntaxException {
    return Path.of(GoldenCheckpointTest.class.getResource("/golden/micro-qwen2/config.json")
        .toURI()).getParent();
  }

  @Test
  void goldenCheckpointLoadsToTheStoredLogits() throws Exception {
    JsonNode expected = new ObjectMapper().readTree(golden().resolve("expected.json").toFile());
    try (PolicyModel m = PolicyModel.load(golden(), Device.cpu())) {
      List<float[]> got = GoldenCheckpoint.logits(m);
      for (int i = 0; i < got.size(); i++) {
        JsonNode want = expected.get("logits").get(i);
        assertThat(got.get(i)).hasSize(want.size());
        for (int j = 0; j < want.size(); j++) {
          assertThat(got.get(i)[j]).isCloseTo((float) want.get(j).asDouble(), within(1e-5f));
        }
      }
    }
  }

  @Test
  void todaysWriterReproducesTheGoldenFilesByteForByte() throws Exception {
    GoldenCheckpoint.main(new String[] {tmp.toString()});
    for (String f : List.of("config.json", "model.safetensors", "tokenizer.json",
        "tokenizer_config.json")) {
      assertThat(Files.readAllBytes(tmp.resolve(f))).as(f)
          .isEqualTo(Files.readAllBytes(golden().resolve(f)));
    }
  }

  @Test
  void sameSeedSameModel() {
    try (PolicyModel a = TestModels.microPolicy(2026);
        PolicyModel b = TestModels.microPolicy(2026)) {
      assertThat(GoldenCheckpoint.logits(a).get(1)).containsExactly(
          GoldenCheckpoint.logits(b).get(1));
    }
  }
}
