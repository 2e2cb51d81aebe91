package com.replaylake.policy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Keeps the learner benchmark runnable (a smoke run with tiny settings; no timing asserted). */
class LearnerBenchmarkTest {
  @Test
  void smokeRun() {
    PrintStream original = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      LearnerBenchmark.main(new String[] {"--models", "tiny", "--batch", "3", "--prompt", "2",
          "--response", "4", "--micro-batch-tokens", "12", "--min-seconds", "0", "--min-reps", "1"});
    } finally {
      System.setOut(original);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("| tiny | 0.43M | learner update | 2 | 18 |")
        .contains("| tiny | 0.43M | pi_k scoring (no grad) | - | 18 |")
        .contains("adamw update alone");
  }

  @Test
  void unknownOptionsAreRejected() {
    assertThatThrownBy(() -> LearnerBenchmark.main(new String[] {"--btach", "3"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--btach");
  }
}
