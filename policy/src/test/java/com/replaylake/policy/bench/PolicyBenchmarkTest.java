package com.replaylake.policy.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Keeps the benchmark runnable (a smoke run with tiny settings; no timing is asserted). */
class PolicyBenchmarkTest {
  @Test
  void smokeRunPrintsOneRowPerMeasurement() {
    PrintStream original = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      PolicyBenchmark.main(new String[] {"--models", "tiny", "--batches", "1,3", "--new", "2",
          "--prompt", "3", "--train-batch", "2", "--train-len", "6", "--min-seconds", "0"});
    } finally {
      System.setOut(original);
    }
    String out = buf.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("| tiny | 0.43M | decode | 1 | 2 |")
        .contains("| tiny | 0.43M | decode | 3 | 6 |")
        .contains("| tiny | 0.43M | train fwd+bwd | 2 | 12 |");
  }

  @Test
  void unknownOptionsAreRejected() {
    assertThatThrownBy(() -> PolicyBenchmark.main(new String[] {"--modle", "tiny"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--modle");
  }
}
