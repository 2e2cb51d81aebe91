package com.replaylake.udfs.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile inputs return within the time bound, without a stack overflow, with a truthful status;
 * an exhausted budget is a timeout with no reward, never a silent 0.
 */
class PathologicalInputTest {
  /** Generous bound for a slow shared CI core; the default per-check budget is 2 s. */
  private static final long BOUND_MILLIS = 3_000;

  private final MathAnswerVerifier verifier = MathAnswerVerifier.strict();

  static Stream<Arguments> hostileResponses() {
    String mb = "a".repeat(1 << 20);
    return Stream.of(
        Arguments.of("1 MB of text, no answer", mb),
        Arguments.of("1 MB of digits", "7".repeat(1 << 20)),
        Arguments.of("1 MB box", "\\boxed{" + "x+".repeat(1 << 19) + "1}"),
        Arguments.of("10k nested braces in a box", "\\boxed{" + "{".repeat(10_000) + "5" + "}".repeat(10_000) + "}"),
        Arguments.of("10k unclosed braces in a box", "\\boxed{" + "{".repeat(10_000) + "5"),
        Arguments.of("100k unclosed boxes", "\\boxed{".repeat(100_000)),
        Arguments.of("1k nested parentheses", "\\boxed{" + "(".repeat(1_000) + "5" + ")".repeat(1_000) + "}"),
        Arguments.of("10k nested \\text", "\\boxed{" + "\\text{".repeat(10_000) + "5" + "}".repeat(10_000) + "}"),
        Arguments.of("10k nested \\mathbf", "\\boxed{1+" + "\\mathbf{".repeat(10_000) + "5" + "}".repeat(10_000) + "}"),
        Arguments.of("10k nested \\frac", "\\boxed{" + "\\frac{1}{".repeat(10_000) + "2" + "}".repeat(10_000) + "}"),
        Arguments.of("1k minus signs", "\\boxed{" + "-".repeat(1_000) + "5}"),
        Arguments.of("power tower", "\\boxed{2^{2^{2^{2^{2^{2^{2^{2}}}}}}}}"),
        Arguments.of("huge exponent", "\\boxed{10^{10^{10}}}"),
        Arguments.of("huge factorial", "\\boxed{1000000!}"),
        Arguments.of("huge binomial", "\\boxed{\\binom{10^{9}}{500000000}}"),
        Arguments.of("100k hash lines", "####\n".repeat(100_000)),
        Arguments.of("100k think tags", "<think>".repeat(100_000)),
        Arguments.of("alternating think tags", "<think></think>".repeat(50_000) + "\\boxed{5}"),
        Arguments.of("1 MB answer phrase", "the answer is ".repeat(70_000)),
        Arguments.of("long decimal", "\\boxed{0." + "3".repeat(100_000) + "}"),
        Arguments.of("long integer", "\\boxed{" + "9".repeat(4_000) + "}"),
        Arguments.of("deep absolute values", "\\boxed{" + "|".repeat(2_000) + "}"),
        Arguments.of("many commas", "\\boxed{" + "1,".repeat(100_000) + "1}"),
        Arguments.of("many \\pm", "\\boxed{" + "1\\pm".repeat(1_000) + "1}"),
        Arguments.of("big matrix", "\\boxed{\\begin{pmatrix}" + "1&".repeat(2_000) + "1\\end{pmatrix}}"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("hostileResponses")
  void hostileResponsesReturnWithinTheBound(String name, String response) {
    for (String gold : List.of("5", "x+1", "\\{1,2\\}")) {
      long t0 = System.nanoTime();
      VerifyResult r = verifier.verify(response, gold);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).as(name + " took " + ms + " ms").isLessThan(BOUND_MILLIS);
      assertThat(r.status()).isIn(VerifyStatus.INCORRECT, VerifyStatus.NO_ANSWER,
          VerifyStatus.TIMEOUT, VerifyStatus.CORRECT);
      if (r.extracted() != null) {
        assertThat(r.extracted().length()).isLessThanOrEqualTo(VerifyResult.MAX_EXTRACTED_CHARS);
      }
    }
  }

  @Test
  void hostileGoldsReturnWithinTheBound() {
    for (Arguments a : hostileResponses().toList()) {
      String gold = (String) a.get()[1];
      long t0 = System.nanoTime();
      VerifyResult r = verifier.verify("\\boxed{5}", gold);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(ms).as(a.get()[0] + " as gold took " + ms + " ms").isLessThan(BOUND_MILLIS);
      assertThat(r.status()).isNotNull();
    }
  }

  @Test
  void nestedBracesAroundTheRightAnswerStillVerify() {
    assertThat(verifier.verify("\\boxed{{{{5}}}}", "5").status()).isEqualTo(VerifyStatus.CORRECT);
    assertThat(verifier.verify("\\boxed{((5))}", "5").status()).isEqualTo(VerifyStatus.CORRECT);
  }

  @Test
  void exhaustedStepBudgetIsATimeoutWithoutReward() {
    MathAnswerVerifier tiny = new MathAnswerVerifier(
        VerifierConfig.defaults().withMaxSteps(40).withGoldCacheSize(0));
    VerifyResult r = tiny.verify("\\boxed{(x+1)^2}", "x^2+2x+1");
    assertThat(r.status()).isEqualTo(VerifyStatus.TIMEOUT);
    assertThat(r.reward()).isNull();
    assertThat(r.extracted()).isEqualTo("(x+1)^2");
  }

  @Test
  void theSameCheckSucceedsWithTheDefaultBudget() {
    MathAnswerVerifier v = new MathAnswerVerifier(VerifierConfig.defaults().withGoldCacheSize(0));
    assertThat(v.verify("\\boxed{(x+1)^2}", "x^2+2x+1").status()).isEqualTo(VerifyStatus.CORRECT);
  }

  @Test
  void expensiveCheckHitsTheWallClockBoundAndReportsTimeout() {
    // 250 distinct polynomials (just under the structured-answer length limit) against a
    // shuffled copy: quadratic matching, each pair sampled at several points.
    List<String> items = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      items.add("x^7+" + i + "x^5-x");
    }
    String gold = "\\{" + String.join(",", items) + "\\}";
    List<String> shuffled = new ArrayList<>(items);
    Collections.shuffle(shuffled, new Random(7));
    String response = "\\boxed{\\{" + String.join(",", shuffled) + "\\}}";
    MathAnswerVerifier fast = new MathAnswerVerifier(VerifierConfig.defaults()
        .withTimeoutMillis(2).withMaxSteps(Long.MAX_VALUE).withGoldCacheSize(0));
    long t0 = System.nanoTime();
    VerifyResult r = fast.verify(response, gold);
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(r.status()).isEqualTo(VerifyStatus.TIMEOUT);
    assertThat(r.reward()).isNull();
    assertThat(ms).isLessThan(1_000);

    MathAnswerVerifier patient = new MathAnswerVerifier(VerifierConfig.defaults()
        .withTimeoutMillis(60_000).withMaxSteps(Long.MAX_VALUE).withGoldCacheSize(0));
    assertThat(patient.verify(response, gold).status()).isEqualTo(VerifyStatus.CORRECT);
  }

  @Test
  void noThreadsAreStartedOrLeaked() {
    int before = ManagementFactory.getThreadMXBean().getThreadCount();
    long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
    MathAnswerVerifier tiny = new MathAnswerVerifier(VerifierConfig.defaults().withMaxSteps(30));
    for (int i = 0; i < 2_000; i++) {
      tiny.verify("\\boxed{(x+" + i + ")^2}", "x^2+2x+1");
      verifier.verify("\\boxed{" + i + "}", "5");
    }
    assertThat(ManagementFactory.getThreadMXBean().getTotalStartedThreadCount()).isEqualTo(started);
    assertThat(ManagementFactory.getThreadMXBean().getThreadCount()).isEqualTo(before);
  }

  @Test
  void nullAndBlankInputsHaveStatuses() {
    assertThat(verifier.verify(null, "5").status()).isEqualTo(VerifyStatus.NO_ANSWER);
    assertThat(verifier.verify("\\boxed{5}", null).status()).isEqualTo(VerifyStatus.INVALID_GOLD);
    assertThat(verifier.verify("\\boxed{5}", null).reward()).isNull();
    assertThat(verifier.verify("\\boxed{5}", null).extracted()).isEqualTo("5");
    assertThat(verifier.verify(null, null).status()).isEqualTo(VerifyStatus.INVALID_GOLD);
    assertThat(verifier.verify("", "").status()).isEqualTo(VerifyStatus.INVALID_GOLD);
  }
}
