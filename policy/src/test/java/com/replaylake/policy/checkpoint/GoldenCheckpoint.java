package com.replaylake.policy.checkpoint;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.TestModels;
import com.replaylake.policy.model.TokenBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the golden fixture {@code src/test/resources/golden/micro-qwen2/}: a micro Qwen2
 * checkpoint made by the project's own code (F32) and {@code expected.json} with its logits for
 * fixed inputs. Regenerate only on purpose (a format or numerics change), from the module folder:
 * {@code java -cp target/test-classes:target/classes:<deps> ...GoldenCheckpoint
 * src/test/resources/golden/micro-qwen2}.
 */
public final class GoldenCheckpoint {
  /** Inputs whose logits are stored. */
  public static final List<int[]> INPUTS = List.of(
      new int[] {72, 105, 33}, new int[] {257, 117, 115, 101, 114, 10, 49, 43, 50, 61, 258});

  private GoldenCheckpoint() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]);
    Files.createDirectories(dir);
    try (PolicyModel m = TestModels.microPolicy(2026)) {
      m.save(dir, TensorDtype.F32);
      Map<String, Object> expected = new LinkedHashMap<>();
      expected.put("inputs", INPUTS);
      expected.put("logits", logits(m));
      new ObjectMapper().writerWithDefaultPrettyPrinter()
          .writeValue(dir.resolve("expected.json").toFile(), expected);
    }
  }

  /** Per input, row-major [tokens, vocab] float32 logits. */
  public static List<float[]> logits(PolicyModel m) {
    try (NDManager s = PolicyRuntime.newManager(Device.cpu())) {
      List<float[]> out = new java.util.ArrayList<>();
      for (int[] in : INPUTS) {
        NDArray l = m.decoder().forward(s, TokenBatch.rightPadded(List.of(in), 0));
        out.add(l.toFloatArray());
      }
      return out;
    }
  }
}
