package com.replaylake.policy.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.replaylake.policy.PolicyException;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.TestModels;
import com.replaylake.policy.sampling.DistributionParams;
import com.replaylake.policy.scoring.ScoreRequest;
import com.replaylake.policy.scoring.TeacherForcedScorer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SftStepTest {
  private static final LearnerConfig CFG = LearnerConfig.fromMap(Map.of("lr", "1e-2", "weight_decay", "0"));

  private static List<ScoreRequest> demos() {
    List<ScoreRequest> out = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      out.add(new ScoreRequest(TestModels.tokens(10 + i, 3 + i), TestModels.tokens(20 + i, 2 + i)));
    }
    return out;
  }

  private static double meanNll(PolicyModel p, List<ScoreRequest> batch) {
    double sum = 0;
    int n = 0;
    for (var s : new TeacherForcedScorer(p.decoder()).score(batch, DistributionParams.FULL)) {
      for (float lp : s.logprobs()) {
        sum -= lp;
        n++;
      }
    }
    return sum / n;
  }

  @Test
  void lossIsTheTokenMeanNllAndTrainingLowersIt() {
    try (PolicyModel p = TestModels.microPolicy(5); AdamW opt = new AdamW(p.decoder(), CFG)) {
      List<ScoreRequest> batch = demos();
      double before = meanNll(p, batch);
      SftStep sft = new SftStep(p.decoder(), opt, CFG, 0);
      SftStep.Metrics first = sft.update(batch, null, 0);
      assertThat(first.loss()).isCloseTo(before, within(1e-4));
      assertThat(first.nll()).isCloseTo(before, within(1e-4));
      assertThat(first.klRef()).isZero();
      assertThat(first.tokens()).isEqualTo(2 + 3 + 4 + 5);
      for (int s = 1; s < 20; s++) {
        sft.update(batch, null, s);
      }
      assertThat(meanNll(p, batch)).isLessThan(before * 0.8);
    }
  }

  @Test
  void anchorAddsBetaTimesKlToTheReference() {
    try (PolicyModel p = TestModels.microPolicy(6); PolicyModel ref = TestModels.microPolicy(7);
        AdamW opt = new AdamW(p.decoder(), CFG)) {
      List<ScoreRequest> batch = demos();
      List<float[]> refLp = SftStep.referenceLogprobs(ref.decoder(), batch);
      SftStep.Metrics m = new SftStep(p.decoder(), opt, CFG, 0.5).update(batch, refLp, 0);
      assertThat(m.klRef()).isPositive();
      assertThat(m.loss()).isCloseTo(m.nll() + 0.5 * m.klRef(), within(1e-4));
    }
    try (PolicyModel p = TestModels.microPolicy(6); AdamW opt = new AdamW(p.decoder(), CFG)) {
      List<ScoreRequest> batch = demos();
      // the reference equal to the policy: KL exactly 0 at the first step
      SftStep.Metrics m = new SftStep(p.decoder(), opt, CFG, 0.5)
          .update(batch, SftStep.referenceLogprobs(p.decoder(), batch), 0);
      assertThat(m.klRef()).isCloseTo(0, within(1e-6));
    }
  }

  @Test
  void badArgumentsAreNamed() {
    try (PolicyModel p = TestModels.microPolicy(8); AdamW opt = new AdamW(p.decoder(), CFG)) {
      assertThatThrownBy(() -> new SftStep(p.decoder(), opt, CFG, -1)).isInstanceOf(PolicyException.class)
          .hasMessageContaining("anchor beta");
      SftStep sft = new SftStep(p.decoder(), opt, CFG, 0.1);
      assertThatThrownBy(() -> sft.update(demos(), null, 0)).isInstanceOf(PolicyException.class)
          .hasMessageContaining("reference log-probs");
      assertThatThrownBy(() -> sft.update(List.of(), null, 0)).isInstanceOf(PolicyException.class);
    }
  }
}
