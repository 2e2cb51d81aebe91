package com.replaylake.policy.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import com.replaylake.policy.PolicyException;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.TestModels;
import com.replaylake.policy.checkpoint.CheckpointSink;
import com.replaylake.policy.checkpoint.CheckpointSource;
import com.replaylake.policy.checkpoint.TensorData;
import com.replaylake.policy.checkpoint.TensorDtype;
import com.replaylake.policy.learn.LearnerConfig.Algorithm;
import com.replaylake.policy.model.DecoderModel;
import com.replaylake.policy.sampling.DistributionParams;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearnerStepTest {
  private static final LearnerConfig GRPO = LearnerConfig.defaults(Algorithm.GRPO).with(Map.of(
      "lr", "1e-3", "weight_decay", "0", "kl_beta", "0"));

  /** Sequences of varied lengths with behavior log-probs = the model's own (fresh data). */
  private static List<TrainingSequence> batch(DecoderModel m, float[] advantages) {
    List<TrainingSequence> out = new ArrayList<>();
    for (int i = 0; i < advantages.length; i++) {
      int[] prompt = TestModels.tokens(100 + i, 3 + i % 3);
      int[] resp = TestModels.tokens(200 + i, 4 + 2 * i);
      out.add(TrainingSequence.of(prompt, resp, new float[resp.length], advantages[i]));
    }
    List<float[]> lp = LearnerStep.logprobs(m, out, DistributionParams.FULL);
    List<TrainingSequence> fresh = new ArrayList<>();
    for (int i = 0; i < out.size(); i++) {
      TrainingSequence s = out.get(i);
      fresh.add(TrainingSequence.of(s.promptTokenIds(), s.responseTokenIds(), lp.get(i),
          s.advantage()));
    }
    return fresh;
  }

  private static double[] sums(DecoderModel m, List<TrainingSequence> b) {
    return LearnerStep.logprobs(m, b, DistributionParams.FULL).stream().mapToDouble(a -> {
      double s = 0;
      for (float v : a) {
        s += v;
      }
      return s;
    }).toArray();
  }

  @Test
  void positiveAdvantagesRaiseTheirLogprobs() {
    try (PolicyModel policy = TestModels.microPolicy(31);
        AdamW opt = new AdamW(policy.decoder(), GRPO)) {
      DecoderModel m = policy.decoder();
      List<TrainingSequence> b = batch(m, new float[] {1, 0.5f, 1, 2});
      double[] before = sums(m, b);
      LearnerStep learner = new LearnerStep(m, opt, GRPO, DistributionParams.FULL);
      LearnerMetrics mt = learner.update(b, 0);
      double[] after = sums(m, b);
      for (int i = 0; i < before.length; i++) {
        assertThat(after[i]).as("response %d", i).isGreaterThan(before[i]);
      }
      assertThat(mt.applied()).isTrue();
      assertThat(mt.optimizerStep()).isEqualTo(1);
      assertThat(mt.tokens()).isEqualTo(4 + 6 + 8 + 10);
      assertThat(mt.sequences()).isEqualTo(4);
      assertThat(mt.ratioMean()).isCloseTo(1.0, within(1e-4));
      assertThat(mt.clipFractionLow() + mt.clipFractionHigh()).isZero();
      assertThat(mt.gradNorm()).isPositive().isFinite();
      assertThat(mt.pgLoss()).isCloseTo(-(4 * 1 + 6 * 0.5 + 8 * 1 + 10 * 2) / 28.0, within(1e-4));
      assertThat(mt.entropy()).isPositive();
      // with mixed advantages the objective sum_i A_i log pi(y_i) rises (individual responses
      // need not move their own way: Adam's first steps are sign-like and shared weights couple
      // them)
      List<TrainingSequence> mixed = batch(m, new float[] {1, -1, 1, -1});
      double[] b2 = sums(m, mixed);
      learner.update(mixed, 1);
      double[] a2 = sums(m, mixed);
      assertThat(a2[0] + a2[2] - a2[1] - a2[3]).isGreaterThan(b2[0] + b2[2] - b2[1] - b2[3]);
    }
  }

  @Test
  void zeroAdvantagesWithoutKlLeaveTheWeightsBitwiseUnchanged() {
    try (PolicyModel policy = TestModels.microPolicy(32);
        AdamW opt = new AdamW(policy.decoder(), GRPO)) {
      DecoderModel m = policy.decoder();
      List<TrainingSequence> b = batch(m, new float[] {0, 0, 0});
      List<TensorData> before = m.toTensors();
      LearnerMetrics mt = new LearnerStep(m, opt, GRPO, DistributionParams.FULL).update(b, 0);
      assertThat(mt.gradNorm()).isZero();
      assertThat(mt.applied()).isTrue();
      List<TensorData> after = m.toTensors();
      for (int i = 0; i < before.size(); i++) {
        assertThat(after.get(i).values()).as(before.get(i).name())
            .containsExactly(before.get(i).values());
      }
    }
  }

  @Test
  void microBatchingDoesNotChangeTheUpdate() {
    // adam_eps = 1 makes the first update ~ lr * g instead of Adam's sign-like lr * g / |g|,
    // which would amplify float summation differences in near-zero gradient entries
    LearnerConfig small = GRPO.with(Map.of("micro_batch_tokens", "16", "loss_norm", "sequence",
        "adam_eps", "1", "lr", "1"));
    LearnerConfig big = small.with(Map.of("micro_batch_tokens", "4096"));
    assertThat(LearnerStep.microBatches(List.of(), 16)).isEmpty();
    try (PolicyModel p1 = TestModels.microPolicy(33);
        PolicyModel p2 = TestModels.microPolicy(33);
        AdamW o1 = new AdamW(p1.decoder(), small);
        AdamW o2 = new AdamW(p2.decoder(), big)) {
      float[] adv = {1, -0.5f, 2, 0.25f, -1};
      List<TrainingSequence> b = batch(p1.decoder(), adv);
      assertThat(LearnerStep.microBatches(b, 16)).hasSizeGreaterThan(2);
      LearnerMetrics m1 = new LearnerStep(p1.decoder(), o1, small, DistributionParams.FULL)
          .update(b, 0);
      LearnerMetrics m2 = new LearnerStep(p2.decoder(), o2, big, DistributionParams.FULL)
          .update(b, 0);
      assertThat(m1.microBatches()).isGreaterThan(2);
      assertThat(m2.microBatches()).isEqualTo(1);
      assertThat(m1.gradNorm()).isGreaterThan(0.01);
      assertThat(m1.loss()).isCloseTo(m2.loss(), within(1e-5));
      assertThat(m1.gradNorm()).isCloseTo(m2.gradNorm(), within(1e-5 * m2.gradNorm()));
      List<TensorData> t1 = p1.decoder().toTensors();
      List<TensorData> t2 = p2.decoder().toTensors();
      for (int i = 0; i < t1.size(); i++) {
        float[] a = t1.get(i).values();
        float[] c = t2.get(i).values();
        for (int j = 0; j < a.length; j++) {
          assertThat(a[j]).as(t1.get(i).name()).isCloseTo(c[j], within(1e-6f));
        }
      }
    }
  }

  @Test
  void remixStepWithKlConvexAndProximalLogprobs() {
    LearnerConfig remix = LearnerConfig.defaults(Algorithm.REMIX).with(Map.of(
        "lr", "1e-3", "kl_beta", "0.5", "reincarnation_step", "100"));
    try (PolicyModel policy = TestModels.microPolicy(34);
        PolicyModel base = TestModels.microPolicy(35);
        PolicyModel prev = TestModels.microPolicy(36);
        AdamW opt = new AdamW(policy.decoder(), remix)) {
      DecoderModel m = policy.decoder();
      // "replayed" data: behavior log-probs from another policy, so c != 1 and rho != 1
      List<TrainingSequence> b = batch(prev.decoder(), new float[] {1, -1, 0.5f});
      LearnerStep learner = new LearnerStep(m, opt, remix, DistributionParams.FULL);
      List<TrainingSequence> prepared = learner.prepare(b, 60, base.decoder(), prev.decoder());
      assertThatThrownBy(() -> learner.prepare(b, 60, base.decoder(), null))
          .isInstanceOf(PolicyException.class).hasMessageContaining("previous-version model");
      // before the lambda decay only the base is needed; on-policy steps keep c = 1
      List<TrainingSequence> early = learner.prepare(b, 10, base.decoder(), null);
      assertThat(early.get(0).prevLogprobs()).isNull();
      assertThat(early.get(0).proximalLogprobs()).isNotNull();
      assertThat(learner.prepare(b, 100, base.decoder(), prev.decoder()).get(0)
          .proximalLogprobs()).isNull();
      List<float[]> baseLp = LearnerStep.logprobs(base.decoder(), b, DistributionParams.FULL);
      List<float[]> prevLp = LearnerStep.logprobs(prev.decoder(), b, DistributionParams.FULL);
      List<TrainingSequence> ready = new ArrayList<>();
      List<TrainingSequence> prox = learner.withProximalLogprobs(b);
      for (int i = 0; i < b.size(); i++) {
        ready.add(prox.get(i).withBaseLogprobs(baseLp.get(i)).withPrevLogprobs(prevLp.get(i)));
      }
      for (int i = 0; i < b.size(); i++) {
        assertThat(prepared.get(i).proximalLogprobs()).containsExactly(
            ready.get(i).proximalLogprobs());
        assertThat(prepared.get(i).baseLogprobs()).containsExactly(ready.get(i).baseLogprobs());
        assertThat(prepared.get(i).prevLogprobs()).containsExactly(ready.get(i).prevLogprobs());
      }
      assertThatThrownBy(() -> learner.update(b, 60)).isInstanceOf(PolicyException.class)
          .hasMessageContaining("base log-probs of sequence 0");
      LearnerMetrics first = learner.update(ready, 60);
      assertThat(first.klLambda()).isCloseTo(0.9, within(1e-12));
      assertThat(first.klBase()).isPositive();
      assertThat(first.klPrev()).isPositive();
      assertThat(first.klLoss()).isCloseTo(0.5 * (0.9 * first.klBase() + 0.1 * first.klPrev()),
          within(1e-5));
      assertThat(first.loss()).isCloseTo(first.pgLoss() + first.klLoss(), within(1e-5));
      assertThat(first.ratioMean()).isNotCloseTo(1.0, within(1e-3));
      // UTD: a second pass over the same batch with the same pi_k log-probs
      LearnerMetrics second = learner.update(ready, 60);
      assertThat(second.optimizerStep()).isEqualTo(2);
      assertThat(second.loss()).isLessThan(first.loss());
    }
  }

  @Test
  void resumingFromSavedWeightsAndOptimizerStateContinuesBitwise(@TempDir Path dir) {
    LearnerConfig cfg = GRPO.with(Map.of("weight_decay", "0.01", "warmup_steps", "3"));
    try (PolicyModel policy = TestModels.microPolicy(37);
        AdamW opt = new AdamW(policy.decoder(), cfg)) {
      DecoderModel m = policy.decoder();
      LearnerStep learner = new LearnerStep(m, opt, cfg, DistributionParams.FULL);
      List<TrainingSequence> b = batch(m, new float[] {1, -1, 0.5f});
      int owned = m.manager().getManagedArrays().size();
      learner.update(b, 0);
      learner.update(b, 1);
      assertThat(m.manager().getManagedArrays()).hasSize(owned);
      policy.save(dir, TensorDtype.F32);
      opt.save(CheckpointSink.directory(dir));
      learner.update(b, 2);
      try (PolicyModel resumed = PolicyModel.load(dir, Device.cpu());
          AdamW opt2 = new AdamW(resumed.decoder(), cfg)) {
        opt2.load(CheckpointSource.directory(dir));
        LearnerMetrics mt = new LearnerStep(resumed.decoder(), opt2, cfg, DistributionParams.FULL)
            .update(b, 2);
        assertThat(mt.optimizerStep()).isEqualTo(3);
        List<TensorData> a = m.toTensors();
        List<TensorData> c = resumed.decoder().toTensors();
        for (int i = 0; i < a.size(); i++) {
          assertThat(c.get(i).values()).as(a.get(i).name()).containsExactly(a.get(i).values());
        }
      }
    }
  }

  @Test
  void rejectsMalformedSequences() {
    assertThatThrownBy(() -> TrainingSequence.of(new int[] {1}, new int[] {2, 3},
        new float[] {-1f}, 1f)).isInstanceOf(PolicyException.class)
        .hasMessageContaining("one per response token (2)");
    assertThatThrownBy(() -> TrainingSequence.of(new int[] {1}, new int[] {2},
        new float[] {Float.NEGATIVE_INFINITY}, 1f)).isInstanceOf(PolicyException.class)
        .hasMessageContaining("finite");
  }
}
