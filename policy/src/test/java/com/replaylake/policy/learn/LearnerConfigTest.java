package com.replaylake.policy.learn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.replaylake.policy.PolicyException;
import com.replaylake.policy.learn.LearnerConfig.Algorithm;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LearnerConfigTest {
  @Test
  void defaultsFollowThePapers() {
    LearnerConfig r = LearnerConfig.defaults(Algorithm.REMIX);
    assertThat(r.clipEpsLow()).isEqualTo(0.2);
    assertThat(r.clipEpsHigh()).isEqualTo(0.28);
    assertThat(r.replayFraction()).isEqualTo(0.4);
    assertThat(r.replayVersions()).isEqualTo(2);
    assertThat(r.utd()).isEqualTo(2);
    assertThat(r.reincarnationStep()).isEqualTo(50);
    assertThat(r.lossNorm()).isEqualTo(LossNormalization.TOKEN);
    LearnerConfig g = LearnerConfig.defaults(Algorithm.GRPO);
    assertThat(g.replayFraction()).isZero();
    assertThat(g.utd()).isEqualTo(1);
    assertThat(LearnerConfig.KEYS.keySet()).containsExactlyElementsOf(r.toMap().keySet());
  }

  @Test
  void lambdaSchedule() {
    LearnerConfig r = LearnerConfig.defaults(Algorithm.REMIX);
    assertThat(r.klLambda(0)).isEqualTo(1.0);
    assertThat(r.klLambda(50)).isEqualTo(1.0);
    assertThat(r.klLambda(51)).isCloseTo(0.9, within(1e-12));
    assertThat(r.klLambda(60)).isCloseTo(0.9, within(1e-12));
    assertThat(r.klLambda(95)).isEqualTo(0.5);
    assertThat(r.klLambda(200)).isEqualTo(0.5);
    LearnerConfig g = LearnerConfig.defaults(Algorithm.GRPO);
    assertThat(g.klLambda(60)).isEqualTo(1.0);
    assertThat(g.klLambda(200)).isEqualTo(1.0);
  }

  @Test
  void reincarnationSwitchesToOnPolicy() {
    LearnerConfig r = LearnerConfig.defaults(Algorithm.REMIX);
    assertThat(r.replayFractionAt(49)).isEqualTo(0.4);
    assertThat(r.utdAt(49)).isEqualTo(2);
    assertThat(r.reincarnatesAt(50)).isTrue();
    assertThat(r.reincarnatesAt(51)).isFalse();
    assertThat(r.replayFractionAt(50)).isZero();
    assertThat(r.utdAt(50)).isEqualTo(1);
    LearnerConfig never = r.with(Map.of(LearnerConfig.REINCARNATION_STEP, "0"));
    assertThat(never.onPolicy(1000)).isFalse();
    assertThat(never.reincarnatesAt(0)).isFalse();
  }

  @Test
  void stringFormRoundTripsAndRejectsUnknownKeys() {
    LearnerConfig r = LearnerConfig.defaults(Algorithm.REMIX);
    assertThat(LearnerConfig.fromMap(r.toMap())).isEqualTo(r);
    LearnerConfig c = LearnerConfig.fromMap(Map.of("algorithm", "remix", "loss_norm", "sequence",
        "lr", "3e-4", "lr_schedule", "cosine", "total_steps", "100"));
    assertThat(c.lossNorm()).isEqualTo(LossNormalization.SEQUENCE);
    assertThat(c.learningRate()).isEqualTo(3e-4);
    assertThat(c.replayFraction()).isEqualTo(0.4);
    assertThatThrownBy(() -> LearnerConfig.fromMap(Map.of("learning_rate", "1")))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("'learning_rate'").hasMessageContaining("unknown key");
  }

  @Test
  void invalidValuesNameTheirKey() {
    Map<Map<String, String>, String> bad = Map.of(
        Map.of("lr", "0"), "'lr'",
        Map.of("lr", "x"), "not a number",
        Map.of("algorithm", "ppo"), "'algorithm'",
        Map.of("algorithm", "remix", "replay_fraction", "1"), "'replay_fraction'",
        Map.of("replay_fraction", "0.4"), "use algorithm=remix",
        Map.of("utd", "2"), "'utd'",
        Map.of("loss_norm", "mean"), "'loss_norm'",
        Map.of("clip_eps_low", "1.5"), "'clip_eps_low'",
        Map.of("lr_schedule", "cosine"), "'total_steps'",
        Map.of("micro_batch_tokens", "0"), "'micro_batch_tokens'");
    bad.forEach((opts, msg) -> assertThatThrownBy(() -> LearnerConfig.fromMap(opts))
        .as("%s", opts).isInstanceOf(PolicyException.class).hasMessageContaining(msg));
  }
}
