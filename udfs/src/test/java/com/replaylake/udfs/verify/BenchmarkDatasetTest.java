package com.replaylake.udfs.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Self-consistency on real gold answers: every MATH-500 gold verifies against itself in a box and
 * against a second spelling; every GSM8K gold verifies as {@code #### N}, as {@code \boxed{N}}
 * and against its full reference solution. Perturbed answers must be rejected.
 */
class BenchmarkDatasetTest {
  private final MathAnswerVerifier verifier = MathAnswerVerifier.strict();

  @Test
  void everyMath500GoldVerifiesAgainstItselfBoxed() {
    List<BenchmarkData.MathProblem> problems = BenchmarkData.math500();
    assertThat(problems).hasSize(500);
    List<String> failures = new ArrayList<>();
    for (BenchmarkData.MathProblem p : problems) {
      VerifyResult r = verifier.verify("The final answer is $\\boxed{" + p.answer() + "}$.", p.answer());
      if (!r.isCorrect()) {
        failures.add(p.uniqueId() + ": " + p.answer() + " -> " + r);
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void everyMath500GoldVerifiesAgainstASecondSpelling() {
    List<String> failures = new ArrayList<>();
    int changed = 0;
    for (BenchmarkData.MathProblem p : BenchmarkData.math500()) {
      String spelling = BenchmarkData.secondSpelling(p.answer());
      if (!spelling.equals("$" + p.answer() + "$")) {
        changed++;
      }
      VerifyResult r = verifier.verify("So we get \\boxed{" + spelling + "}", p.answer());
      if (!r.isCorrect()) {
        failures.add(p.uniqueId() + ": " + p.answer() + " vs " + spelling + " -> " + r);
      }
    }
    assertThat(failures).isEmpty();
    assertThat(changed).as("answers whose second spelling differs").isGreaterThan(120);
  }

  @Test
  void everyMath500ReferenceSolutionVerifiesAgainstItsGold() {
    List<String> failures = new ArrayList<>();
    for (BenchmarkData.MathProblem p : BenchmarkData.math500()) {
      VerifyResult r = verifier.verify(p.solution(), p.answer());
      if (!r.isCorrect()) {
        failures.add(p.uniqueId() + ": " + p.answer() + " -> " + r);
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void math500GoldsOfOtherProblemsAreRejected() {
    List<BenchmarkData.MathProblem> problems = BenchmarkData.math500();
    List<String> accepted = new ArrayList<>();
    for (int i = 0; i < problems.size(); i++) {
      String gold = problems.get(i).answer();
      int j = (i + 1) % problems.size();
      while (sameLiteral(problems.get(j).answer(), gold)) {
        j = (j + 1) % problems.size();
      }
      String other = problems.get(j).answer();
      VerifyResult r = verifier.verify("\\boxed{" + other + "}", gold);
      if (r.isCorrect()) {
        accepted.add(gold + " accepted " + other);
      }
    }
    assertThat(accepted).isEmpty();
  }

  /** Same answer up to "x=", spaces and thousands separators (so it is not a wrong answer). */
  private static boolean sameLiteral(String a, String b) {
    return literalKey(a).equals(literalKey(b));
  }

  private static String literalKey(String s) {
    String t = s.replace(" ", "").replace("\\!", "").replace(",", "");
    return t.startsWith("x=") ? t.substring(2) : t;
  }

  @Test
  void math500NumericGoldsRejectOffByOneAndWrongSign() {
    int checked = 0;
    List<String> accepted = new ArrayList<>();
    for (BenchmarkData.MathProblem p : BenchmarkData.math500()) {
      AnswerParser.Parsed gold = AnswerParser.parse(p.answer(), Budget.unlimited());
      if (!(gold.answer() instanceof Answer.Scalar s) || s.expr().exact(null, Budget.unlimited()) == null) {
        continue;
      }
      Exact v = s.expr().exact(null, Budget.unlimited());
      if (!v.isReal()) {
        continue;
      }
      checked++;
      String plusOne = v.re.add(BigRational.ONE).toString();
      if (verifier.verify("\\boxed{" + plusOne + "}", p.answer()).isCorrect()) {
        accepted.add(p.answer() + " accepted " + plusOne);
      }
      if (v.re.signum() != 0) {
        String negated = v.re.negate().toString();
        if (verifier.verify("\\boxed{" + negated + "}", p.answer()).isCorrect()) {
          accepted.add(p.answer() + " accepted " + negated);
        }
      }
    }
    assertThat(checked).isGreaterThan(300);
    assertThat(accepted).isEmpty();
  }

  @Test
  void concurrentChecksSharingTheGoldCacheAgreeWithSequentialOnes() throws Exception {
    List<BenchmarkData.MathProblem> problems = BenchmarkData.math500();
    List<String[]> pairs = new ArrayList<>();
    for (int i = 0; i < problems.size(); i++) {
      pairs.add(new String[] {problems.get(i).solution(), problems.get(i).answer()});
      pairs.add(new String[] {"\\boxed{" + BenchmarkData.secondSpelling(problems.get(i).answer()) + "}",
          problems.get((i + 7) % problems.size()).answer()});
    }
    MathAnswerVerifier uncached = new MathAnswerVerifier(VerifierConfig.defaults().withGoldCacheSize(0));
    List<VerifyResult> sequential = new ArrayList<>();
    for (String[] p : pairs) {
      sequential.add(uncached.verify(p[0], p[1]));
    }
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 3; round++) {
        List<java.util.concurrent.Future<VerifyResult>> futures = new ArrayList<>();
        for (String[] p : pairs) {
          futures.add(pool.submit(() -> verifier.verify(p[0], p[1])));
        }
        for (int i = 0; i < pairs.size(); i++) {
          assertThat(futures.get(i).get()).as(pairs.get(i)[1]).isEqualTo(sequential.get(i));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void everyGsm8kGoldVerifiesInEveryForm() {
    List<BenchmarkData.GsmProblem> problems = BenchmarkData.gsm8k();
    assertThat(problems).hasSize(1319);
    List<String> failures = new ArrayList<>();
    for (BenchmarkData.GsmProblem p : problems) {
      String gold = p.gold();
      String plain = gold.replace(",", "");
      for (String response : List.of("#### " + gold, "\\boxed{" + gold + "}", "\\boxed{" + plain + "}",
          "The answer is " + gold + ".", p.solution())) {
        VerifyResult r = verifier.verify(response, plain);
        if (!r.isCorrect()) {
          failures.add(gold + " vs " + response + " -> " + r);
        }
      }
      // the gold column may itself be the full solution
      if (!verifier.verify("\\boxed{" + plain + "}", p.solution()).isCorrect()) {
        failures.add("solution as gold: " + gold);
      }
    }
    assertThat(failures).isEmpty();
  }

  @Test
  void gsm8kGoldsRejectOffByOneAndWrongSign() {
    List<String> accepted = new ArrayList<>();
    for (BenchmarkData.GsmProblem p : BenchmarkData.gsm8k()) {
      long v = Long.parseLong(p.gold().replace(",", ""));
      for (String wrong : List.of("#### " + (v + 1), "#### " + (v - 1), "\\boxed{" + (v * 10) + "}")) {
        if (verifier.verify(wrong, p.gold()).isCorrect()) {
          accepted.add(p.gold() + " accepted " + wrong);
        }
      }
      if (v != 0 && verifier.verify("\\boxed{" + (-v) + "}", p.gold()).isCorrect()) {
        accepted.add(p.gold() + " accepted " + (-v));
      }
    }
    assertThat(accepted).isEmpty();
  }
}
