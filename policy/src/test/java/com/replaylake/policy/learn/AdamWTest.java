package com.replaylake.policy.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.replaylake.policy.PolicyException;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.checkpoint.CheckpointSink;
import com.replaylake.policy.checkpoint.CheckpointSource;
import com.replaylake.policy.learn.LearnerConfig.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdamWTest {
  private static final LearnerConfig CONFIG = LearnerConfig.defaults(Algorithm.GRPO).with(Map.of(
      "lr", "0.01", "weight_decay", "0.1", "grad_clip", "1.0", "warmup_steps", "2"));

  private NDManager m;

  @BeforeEach
  void open() {
    m = PolicyRuntime.newManager(Device.cpu());
  }

  @AfterEach
  void close() {
    m.close();
  }

  private static float[] random(long seed, int n, double scale) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) (scale * r.nextGaussian());
    }
    return v;
  }

  private Map<String, NDArray> params(long seed) {
    Map<String, NDArray> p = new LinkedHashMap<>();
    p.put("w", m.create(random(seed, 6, 1), new Shape(2, 3)));
    p.put("b", m.create(random(seed + 1, 3, 1), new Shape(3)));
    return p;
  }

  private Map<String, NDArray> grads(long seed, double scale) {
    Map<String, NDArray> g = new LinkedHashMap<>();
    g.put("w", m.create(random(seed, 6, scale), new Shape(2, 3)));
    g.put("b", m.create(random(seed + 1, 3, scale), new Shape(3)));
    return g;
  }

  @Test
  void matchesADoublePrecisionAdamW() {
    Map<String, NDArray> p = params(1);
    double[][] theta = {toDouble(p.get("w").toFloatArray()), toDouble(p.get("b").toFloatArray())};
    double[][] mm = new double[2][];
    double[][] vv = new double[2][];
    mm[0] = new double[6];
    mm[1] = new double[3];
    vv[0] = new double[6];
    vv[1] = new double[3];
    try (AdamW opt = new AdamW(p, Device.cpu(), CONFIG)) {
      for (int t = 1; t <= 4; t++) {
        double scale = t == 3 ? 10 : 0.1;   // step 3 exceeds the clip norm
        Map<String, NDArray> g = grads(100 + t, scale);
        double[][] gd = {toDouble(g.get("w").toFloatArray()), toDouble(g.get("b").toFloatArray())};
        double norm = 0;
        for (double[] a : gd) {
          for (double x : a) {
            norm += x * x;
          }
        }
        norm = Math.sqrt(norm);
        double coef = norm > 1.0 ? 1.0 / (norm + 1e-6) : 1.0;
        double lr = t <= 2 ? 0.01 * t / 2 : 0.01;
        for (int k = 0; k < 2; k++) {
          for (int i = 0; i < theta[k].length; i++) {
            double gi = gd[k][i] * coef;
            mm[k][i] = 0.9 * mm[k][i] + 0.1 * gi;
            vv[k][i] = 0.999 * vv[k][i] + 0.001 * gi * gi;
            if (k == 0) {
              theta[k][i] *= 1 - lr * 0.1;
            }
            double denom = Math.sqrt(vv[k][i]) / Math.sqrt(1 - Math.pow(0.999, t)) + 1e-8;
            theta[k][i] -= lr / (1 - Math.pow(0.9, t)) * mm[k][i] / denom;
          }
        }
        AdamW.Update u = opt.update(g);
        assertThat(u.applied()).isTrue();
        assertThat(u.step()).isEqualTo(t);
        assertThat(u.gradNorm()).isCloseTo(norm, within(1e-5 * norm));
        assertThat(u.learningRate()).isCloseTo(lr, within(1e-12));
        assertClose(p.get("w").toFloatArray(), theta[0]);
        assertClose(p.get("b").toFloatArray(), theta[1]);
      }
    }
  }

  @Test
  void nonFiniteGradientsAreSkipped() {
    Map<String, NDArray> p = params(2);
    try (AdamW opt = new AdamW(p, Device.cpu(), CONFIG)) {
      opt.update(grads(3, 0.1));
      float[] w = p.get("w").toFloatArray();
      float[] b = p.get("b").toFloatArray();
      for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
        Map<String, NDArray> g = grads(4, 0.1);
        g.put("b", m.create(new float[] {0.1f, bad, 0.2f}));
        AdamW.Update u = opt.update(g);
        assertThat(u.applied()).isFalse();
        assertThat(u.gradNorm()).isNotFinite();
        assertThat(u.step()).isEqualTo(1);
        assertThat(p.get("w").toFloatArray()).containsExactly(w);
        assertThat(p.get("b").toFloatArray()).containsExactly(b);
      }
      assertThat(opt.skippedUpdates()).isEqualTo(2);
      assertThat(opt.update(grads(5, 0.1)).step()).isEqualTo(2);
    }
  }

  @Test
  void savedStateGivesIdenticalNextUpdates(@TempDir Path dir) throws Exception {
    Map<String, NDArray> p1 = params(7);
    Map<String, NDArray> p2 = params(7);
    try (AdamW a = new AdamW(p1, Device.cpu(), CONFIG)) {
      for (int t = 0; t < 3; t++) {
        a.update(grads(20 + t, 0.3));
      }
      a.save(CheckpointSink.directory(dir));
      try (AdamW b = new AdamW(p2, Device.cpu(), CONFIG)) {
        // same parameters as a's, then the saved moments
        p2.get("w").set(p1.get("w").toFloatArray());
        p2.get("b").set(p1.get("b").toFloatArray());
        b.load(CheckpointSource.directory(dir));
        assertThat(b.step()).isEqualTo(3);
        for (int t = 0; t < 3; t++) {
          AdamW.Update ua = a.update(grads(40 + t, 0.3));
          AdamW.Update ub = b.update(grads(40 + t, 0.3));
          assertThat(ub).isEqualTo(ua);
          assertThat(p2.get("w").toFloatArray()).containsExactly(p1.get("w").toFloatArray());
          assertThat(p2.get("b").toFloatArray()).containsExactly(p1.get("b").toFloatArray());
        }
      }
    }
    assertThat(Files.readString(dir.resolve(AdamW.META_FILE))).contains("\"step\" : 3");
  }

  @Test
  void loadRejectsAnotherArchitecture(@TempDir Path dir) {
    try (AdamW a = new AdamW(params(1), Device.cpu(), CONFIG)) {
      a.save(CheckpointSink.directory(dir));
    }
    Map<String, NDArray> other = new LinkedHashMap<>();
    other.put("w", m.zeros(new Shape(3, 2)));
    other.put("b", m.zeros(new Shape(3)));
    try (AdamW b = new AdamW(other, Device.cpu(), CONFIG)) {
      assertThatThrownBy(() -> b.load(CheckpointSource.directory(dir)))
          .isInstanceOf(PolicyException.class).hasMessageContaining("exp_avg.w")
          .hasMessageContaining("[2, 3]");
    }
  }

  @Test
  void warmupThenCosine() {
    LearnerConfig c = CONFIG.with(Map.of("lr_schedule", "cosine", "total_steps", "12",
        "min_lr_ratio", "0.1"));
    try (AdamW opt = new AdamW(params(1), Device.cpu(), c)) {
      assertThat(opt.learningRate(1)).isCloseTo(0.005, within(1e-12));
      assertThat(opt.learningRate(2)).isCloseTo(0.01, within(1e-12));
      assertThat(opt.learningRate(7)).isCloseTo(0.01 * (0.1 + 0.9 * 0.5), within(1e-12));
      assertThat(opt.learningRate(12)).isCloseTo(0.001, within(1e-12));
      assertThat(opt.learningRate(50)).isCloseTo(0.001, within(1e-12));
    }
  }

  private static double[] toDouble(float[] f) {
    double[] d = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      d[i] = f[i];
    }
    return d;
  }

  private static void assertClose(float[] actual, double[] expected) {
    for (int i = 0; i < actual.length; i++) {
      assertThat((double) actual[i]).as("element %d", i)
          .isCloseTo(expected[i], within(1e-5 * Math.max(1, Math.abs(expected[i]))));
    }
  }
}
