package com.replaylake.udfs.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OverlongPenaltyTest {
  @ParameterizedTest(name = "L={0} max={1} cache={2} -> {3}")
  @CsvSource({
      "0, 4096, 512, 0.0",
      "3584, 4096, 512, 0.0",
      "3585, 4096, 512, -0.001953125",
      "3840, 4096, 512, -0.5",
      "4095, 4096, 512, -0.998046875",
      "4096, 4096, 512, -1.0",
      "4097, 4096, 512, -1.0",
      "100000, 4096, 512, -1.0",
      "20, 20, 0, 0.0",
      "21, 20, 0, -1.0",
      "1, 20, 20, -0.05",
      "0, 20, 20, 0.0",
  })
  void followsTheDapoFormula(long length, long max, long cache, double expected) {
    assertThat(OverlongPenalty.penalty(length, max, cache)).isEqualTo(expected);
  }

  @Test
  void isMonotoneAndBounded() {
    double previous = 0;
    for (long l = 0; l <= 5000; l++) {
      double p = OverlongPenalty.penalty(l, 4096, 512);
      assertThat(p).isBetween(-1.0, 0.0).isLessThanOrEqualTo(previous);
      previous = p;
    }
  }

  @Test
  void rejectsInvalidArgumentsWithTheValue() {
    assertThatThrownBy(() -> OverlongPenalty.penalty(-1, 10, 2)).hasMessageContaining("got -1");
    assertThatThrownBy(() -> OverlongPenalty.penalty(1, 0, 0)).hasMessageContaining("max_len");
    assertThatThrownBy(() -> OverlongPenalty.penalty(1, 10, 11)).hasMessageContaining("cache_len");
    assertThatThrownBy(() -> OverlongPenalty.penalty(1, 10, -1)).hasMessageContaining("cache_len");
  }
}
