package com.replaylake.udfs.reward;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;

class FormatRewardTest {
  @ParameterizedTest(name = "[{index}] {1} <- {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "The answer is \\boxed{5}.                              | 1.0",
      "\\fbox{x^2}                                            | 1.0",
      "<think>work \\boxed{4}</think> so \\boxed{5}            | 1.0",
      "opened by the template ... </think> \\boxed{5}          | 1.0",
      "\\boxed{\\{1, 2\\}}                                    | 1.0",
      "\\boxed{\\frac{1}{2}}                                  | 1.0",
      "no box at all, the answer is 5                         | 0.0",
      "\\boxed{4} and \\boxed{5}                               | 0.0",
      "\\boxed{}                                              | 0.0",
      "\\boxed{ }                                             | 0.0",
      "\\boxed{\\frac{1}{2}                                   | 0.0",
      "\\boxed 5                                              | 0.0",
      "<think>never closed \\boxed{5}                          | 0.0",
      "<think>a</think><think>b</think> \\boxed{5}            | 0.0",
      "</think> \\boxed{5} <think>                            | 0.0",
      "<think>only inside \\boxed{5}</think>                  | 0.0",
      "``                                                     | 0.0",
      "\\boxedx{5} \\boxed{6}                                 | 1.0",
  })
  void scoresTheFormat(String response, double expected) {
    assertThat(FormatReward.score(response)).isEqualTo(expected);
    assertThat(FormatReward.isWellFormed(response)).isEqualTo(expected == 1.0);
  }

  @ParameterizedTest
  @NullSource
  void nullIsMalformed(String response) {
    assertThat(FormatReward.score(response)).isZero();
  }
}
