package com.replaylake.policy.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.TestModels;
import com.replaylake.policy.model.TokenBatch;
import com.replaylake.policy.sampling.DistributionParams;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TeacherForcedScorerTest {
  private static PolicyModel policy;
  private static TeacherForcedScorer scorer;

  @BeforeAll
  static void load() {
    policy = TestModels.microPolicy(17);
    scorer = new TeacherForcedScorer(policy.decoder());
  }

  @AfterAll
  static void close() {
    policy.close();
  }

  /** Log-softmax and entropy of the full forward pass of prompt+response, in double. */
  private static double[][] reference(int[] prompt, int[] response) {
    int[] all = new int[prompt.length + response.length];
    System.arraycopy(prompt, 0, all, 0, prompt.length);
    System.arraycopy(response, 0, all, prompt.length, response.length);
    try (NDManager m = PolicyRuntime.newManager(Device.cpu())) {
      NDArray logits = policy.decoder().forward(m, TokenBatch.rightPadded(List.of(all), 0));
      int v = (int) logits.getShape().get(2);
      float[] flat = logits.toFloatArray();
      double[][] out = new double[2][response.length];
      for (int j = 0; j < response.length; j++) {
        int row = prompt.length - 1 + j;
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < v; k++) {
          max = Math.max(max, flat[row * v + k]);
        }
        double sum = 0;
        for (int k = 0; k < v; k++) {
          sum += Math.exp(flat[row * v + k] - max);
        }
        double lse = max + Math.log(sum);
        out[0][j] = flat[row * v + response[j]] - lse;
        double h = 0;
        for (int k = 0; k < v; k++) {
          double lp = flat[row * v + k] - lse;
          h -= Math.exp(lp) * lp;
        }
        out[1][j] = h;
      }
      return out;
    }
  }

  @Test
  void paddedBatchScoresEqualPerSequenceReference() {
    List<ScoreRequest> req = List.of(
        new ScoreRequest(TestModels.tokens(1, 3), TestModels.tokens(2, 9)),
        new ScoreRequest(TestModels.tokens(3, 12), TestModels.tokens(4, 2)),
        new ScoreRequest(TestModels.tokens(5, 1), new int[0]),
        new ScoreRequest(TestModels.tokens(6, 5), TestModels.tokens(7, 5)));
    List<TokenScores> got = scorer.score(req, DistributionParams.FULL);
    assertThat(got).hasSize(4);
    for (int i = 0; i < req.size(); i++) {
      double[][] ref = reference(req.get(i).promptTokenIds(), req.get(i).responseTokenIds());
      assertThat(got.get(i).logprobs()).hasSize(req.get(i).responseTokenIds().length);
      for (int j = 0; j < ref[0].length; j++) {
        assertThat((double) got.get(i).logprobs()[j]).isCloseTo(ref[0][j], within(1e-4));
        assertThat((double) got.get(i).entropies()[j]).isCloseTo(ref[1][j], within(1e-4));
      }
    }
  }

  @Test
  void microBatchingDoesNotChangeScores() {
    List<ScoreRequest> req = new java.util.ArrayList<>();
    for (int i = 0; i < 7; i++) {
      req.add(new ScoreRequest(TestModels.tokens(40 + i, 2 + i), TestModels.tokens(50 + i, 9 - i)));
    }
    List<TokenScores> whole = scorer.score(req, DistributionParams.FULL);
    // 264 vocab x 11 tokens x 2 rows = 5808 cells: forces batches of one or two requests.
    List<TokenScores> split = new TeacherForcedScorer(policy.decoder(), 6000)
        .score(req, DistributionParams.FULL);
    assertThat(split).hasSameSizeAs(whole);
    for (int i = 0; i < req.size(); i++) {
      assertThat(split.get(i).logprobs()).hasSize(req.get(i).responseTokenIds().length);
      for (int j = 0; j < whole.get(i).logprobs().length; j++) {
        assertThat(split.get(i).logprobs()[j]).isCloseTo(whole.get(i).logprobs()[j],
            within(1e-5f));
      }
    }
  }

  @Test
  void differentiableScoresArePackedAndCarryGradients() {
    try (PolicyModel m = TestModels.microPolicy(19)) {
      m.decoder().setTrainable(true);
      TeacherForcedScorer s = new TeacherForcedScorer(m.decoder());
      List<ScoreRequest> req = List.of(
          new ScoreRequest(TestModels.tokens(1, 4), TestModels.tokens(2, 3)),
          new ScoreRequest(TestModels.tokens(3, 2), TestModels.tokens(4, 5)));
      try (NDManager scope = PolicyRuntime.newManager(Device.cpu());
          GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
        ScoreTensors t = s.forward(scope, req, DistributionParams.FULL);
        assertThat(t.tokens()).isEqualTo(8);
        assertThat(t.responseLengths()).containsExactly(3, 5);
        assertThat(t.rowIndex().toLongArray()).containsExactly(0, 0, 0, 1, 1, 1, 1, 1);
        assertThat(t.logprobs().getShape().getShape()).containsExactly(8);
        gc.backward(t.logprobs().sum().neg());
        NDArray g = m.decoder().parameters().get("model.layers.0.self_attn.q_proj.weight")
            .getGradient();
        assertThat(g.abs().sum().getFloat()).isPositive();
      }
    }
  }
}
