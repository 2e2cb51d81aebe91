package com.replaylake.policy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.TestModels;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DecoderModelTest {
  private static final float TOL = 1e-4f;
  private static DecoderModel model;

  @BeforeAll
  static void load() {
    model = DecoderModel.random(TestModels.micro(), 7, Device.cpu());
  }

  @AfterAll
  static void close() {
    model.close();
  }

  /** Logits [T, V] of one unpadded sequence by a full forward pass. */
  static float[][] fullLogits(DecoderModel m, int[] seq) {
    try (NDManager s = PolicyRuntime.newManager(Device.cpu())) {
      NDArray logits = m.forward(s, TokenBatch.rightPadded(List.of(seq), 0));
      return rows(logits.reshape(seq.length, -1));
    }
  }

  static float[][] rows(NDArray a) {
    int n = (int) a.getShape().get(0);
    int v = (int) a.getShape().get(1);
    float[] flat = a.toFloatArray();
    float[][] out = new float[n][v];
    for (int i = 0; i < n; i++) {
      System.arraycopy(flat, i * v, out[i], 0, v);
    }
    return out;
  }

  static void assertClose(float[] actual, float[] expected, float tol) {
    assertThat(actual).hasSize(expected.length);
    for (int i = 0; i < actual.length; i++) {
      assertThat(actual[i]).as("index %d", i).isCloseTo(expected[i], within(tol));
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 7, 19})
  void kvCacheDecodingMatchesFullForward(int length) {
    int[] seq = TestModels.tokens(length, length + 3);
    float[][] full = fullLogits(model, seq);
    int prefill = Math.max(1, length / 2);
    try (NDManager s = PolicyRuntime.newManager(Device.cpu());
        KvCache cache = model.newCache(s, 1, seq.length)) {
      List<float[]> got = new ArrayList<>();
      long[] ids = new long[prefill];
      long[] pos = new long[prefill];
      boolean[] mask = new boolean[prefill];
      for (int t = 0; t < prefill; t++) {
        ids[t] = seq[t];
        pos[t] = t;
        mask[t] = true;
      }
      NDArray first = model.forward(s.create(ids, new Shape(1, prefill)),
          s.create(pos, new Shape(1, prefill)), s.create(mask, new Shape(1, prefill)), cache);
      for (float[] r : rows(first.reshape(prefill, -1))) {
        got.add(r);
      }
      for (int t = prefill; t < seq.length; t++) {
        boolean[] m = new boolean[t + 1];
        java.util.Arrays.fill(m, true);
        NDArray step = model.forward(s.create(new long[] {seq[t]}, new Shape(1, 1)),
            s.create(new long[] {t}, new Shape(1, 1)), s.create(m, new Shape(1, t + 1)), cache);
        got.add(step.toFloatArray());
      }
      assertThat(cache.length()).isEqualTo(seq.length);
      for (int t = 0; t < seq.length; t++) {
        assertClose(got.get(t), full[t], TOL);
      }
    }
  }

  @Test
  void leftPaddedBatchWithCacheMatchesEachSequenceAlone() {
    List<int[]> prompts = List.of(
        TestModels.tokens(1, 9), TestModels.tokens(2, 3), TestModels.tokens(3, 6));
    int[][] continuations = {
        TestModels.tokens(11, 4), TestModels.tokens(12, 4), TestModels.tokens(13, 4)};
    TokenBatch batch = TokenBatch.leftPadded(prompts, 0);
    int b = prompts.size();
    int p = batch.length();
    int cap = p + 4;
    try (NDManager s = PolicyRuntime.newManager(Device.cpu());
        KvCache cache = model.newCache(s, b, cap)) {
      NDArray logits = model.forward(batch.idsArray(s), batch.positionsArray(s),
          batch.maskArray(s), cache);
      float[][][] perRow = new float[b][][];
      for (int i = 0; i < b; i++) {
        perRow[i] = rows(logits.get(i));
      }
      boolean[] keyMask = new boolean[b * cap];
      for (int i = 0; i < b; i++) {
        System.arraycopy(batch.mask(), i * p, keyMask, i * cap, p);
      }
      List<float[][]> stepLogits = new ArrayList<>();
      for (int step = 0; step < 4; step++) {
        long[] ids = new long[b];
        long[] pos = new long[b];
        for (int i = 0; i < b; i++) {
          ids[i] = continuations[i][step];
          pos[i] = prompts.get(i).length + step;
          keyMask[i * cap + p + step] = true;
        }
        int cols = p + step + 1;
        boolean[] m = new boolean[b * cols];
        for (int i = 0; i < b; i++) {
          System.arraycopy(keyMask, i * cap, m, i * cols, cols);
        }
        NDArray out = model.forward(s.create(ids, new Shape(b, 1)), s.create(pos, new Shape(b, 1)),
            s.create(m, new Shape(b, cols)), cache);
        stepLogits.add(rows(out.reshape(b, -1)));
      }
      for (int i = 0; i < b; i++) {
        int[] prompt = prompts.get(i);
        int[] full = new int[prompt.length + 4];
        System.arraycopy(prompt, 0, full, 0, prompt.length);
        System.arraycopy(continuations[i], 0, full, prompt.length, 4);
        float[][] expected = fullLogits(model, full);
        int off = p - prompt.length;
        for (int t = 0; t < prompt.length; t++) {
          assertClose(perRow[i][off + t], expected[t], TOL);
        }
        for (int step = 0; step < 4; step++) {
          assertClose(stepLogits.get(step)[i], expected[prompt.length + step], TOL);
        }
      }
    }
  }

  @Test
  void rightPaddedBatchMatchesEachSequenceAlone() {
    List<int[]> seqs = List.of(TestModels.tokens(5, 4), TestModels.tokens(6, 10));
    try (NDManager s = PolicyRuntime.newManager(Device.cpu())) {
      NDArray logits = model.forward(s, TokenBatch.rightPadded(seqs, 0));
      for (int i = 0; i < seqs.size(); i++) {
        float[][] expected = fullLogits(model, seqs.get(i));
        float[][] got = rows(logits.get(i));
        for (int t = 0; t < seqs.get(i).length; t++) {
          assertClose(got[t], expected[t], TOL);
        }
      }
    }
  }

  @Test
  void causalMaskHidesFutureTokens() {
    int[] a = TestModels.tokens(21, 8);
    int[] b = a.clone();
    b[7] = (b[7] + 1) % 256;
    float[][] la = fullLogits(model, a);
    float[][] lb = fullLogits(model, b);
    for (int t = 0; t < 7; t++) {
      assertClose(la[t], lb[t], 0f);
    }
    assertThat(la[7]).isNotEqualTo(lb[7]);
  }

  @Test
  void llamaLayoutWithUntiedHeadDecodesConsistently() {
    PolicyConfig cfg = TestModels.micro().withModelType(PolicyConfig.LLAMA)
        .withTiedEmbeddings(false);
    try (DecoderModel llama = DecoderModel.random(cfg, 3, Device.cpu())) {
      assertThat(llama.parameters()).containsKey("lm_head.weight")
          .doesNotContainKey("model.layers.0.self_attn.q_proj.bias");
      int[] seq = TestModels.tokens(4, 6);
      float[][] full = fullLogits(llama, seq);
      try (NDManager s = PolicyRuntime.newManager(Device.cpu());
          KvCache cache = llama.newCache(s, 1, 6)) {
        llama.forward(s.create(new long[] {seq[0], seq[1], seq[2], seq[3], seq[4]},
            new Shape(1, 5)), s.create(new long[] {0, 1, 2, 3, 4}, new Shape(1, 5)),
            s.create(new boolean[] {true, true, true, true, true}, new Shape(1, 5)), cache);
        NDArray last = llama.forward(s.create(new long[] {seq[5]}, new Shape(1, 1)),
            s.create(new long[] {5}, new Shape(1, 1)),
            s.create(new boolean[] {true, true, true, true, true, true}, new Shape(1, 6)), cache);
        assertClose(last.toFloatArray(), full[5], TOL);
      }
    }
  }

  @Test
  void gradientsReachEveryParameter() {
    try (DecoderModel m = DecoderModel.random(TestModels.micro(), 9, Device.cpu())) {
      m.setTrainable(true);
      try (NDManager s = PolicyRuntime.newManager(Device.cpu());
          GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        NDArray logits = m.forward(s, TokenBatch.rightPadded(List.of(TestModels.tokens(8, 6)), 0));
        NDArray loss = logits.logSoftmax(-1).get(":, :, 5").mean().neg();
        gc.backward(loss);
        for (Map.Entry<String, NDArray> e : m.parameters().entrySet()) {
          try (NDArray g = e.getValue().getGradient()) {
            float norm = g.abs().sum().getFloat();
            assertThat(norm).as("gradient of %s", e.getKey()).isGreaterThan(0f).isFinite();
          }
        }
      }
    }
  }

  @Test
  void gradientsAccumulateUntilZeroedAndLiveInTheCallersScope() {
    try (DecoderModel m = DecoderModel.random(TestModels.micro(), 10, Device.cpu())) {
      m.setTrainable(true);
      int owned = m.manager().getManagedArrays().size();
      float[] first = null;
      for (int pass = 0; pass < 3; pass++) {
        if (pass == 2) {
          m.zeroGradients();
        }
        try (NDManager s = PolicyRuntime.newManager(Device.cpu())) {
          try (GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
            NDArray logits = m.forward(s,
                TokenBatch.rightPadded(List.of(TestModels.tokens(8, 6)), 0));
            gc.backward(logits.logSoftmax(-1).get(":, :, 5").mean().neg());
          }
          float[] g = m.gradients(s).get("model.norm.weight").toFloatArray();
          if (pass == 0) {
            first = g;
          } else {
            float factor = pass == 1 ? 2f : 1f;
            for (int i = 0; i < g.length; i++) {
              assertThat(g[i]).isCloseTo(factor * first[i], within(1e-5f));
            }
          }
        }
        assertThat(m.manager().getManagedArrays()).hasSize(owned);
      }
    }
  }

  @Test
  void repeatedCallsAttachNothingToTheModel() {
    int before = model.manager().getManagedArrays().size();
    for (int i = 0; i < 200; i++) {
      fullLogits(model, TestModels.tokens(i, 5));
    }
    assertThat(model.manager().getManagedArrays()).hasSize(before);
  }

  @Test
  void mismatchedInputShapesAreRejected() {
    try (NDManager s = PolicyRuntime.newManager(Device.cpu())) {
      NDArray ids = s.create(new long[] {1, 2, 3}, new Shape(1, 3));
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.forward(ids,
          s.create(new long[] {0, 1}, new Shape(1, 2)),
          s.create(new boolean[] {true, true, true}, new Shape(1, 3)), null))
          .isInstanceOf(com.replaylake.policy.PolicyException.class)
          .hasMessageContaining("position ids");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> model.forward(ids,
          s.create(new long[] {0, 1, 2}, new Shape(1, 3)),
          s.create(new boolean[] {true, true}, new Shape(1, 2)), null))
          .isInstanceOf(com.replaylake.policy.PolicyException.class)
          .hasMessageContaining("key mask");
    }
  }

  @Test
  void configCountsParameters() {
    PolicyConfig tiny = PolicyConfig.tiny();
    long n = 0;
    try (DecoderModel m = DecoderModel.random(tiny, 1, Device.cpu())) {
      for (NDArray p : m.parameters().values()) {
        n += p.size();
      }
    }
    assertThat(tiny.parameterCount()).isEqualTo(n);
    assertThat(n).isBetween(350_000L, 500_000L);
  }
}
