package com.replaylake.udfs.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hand-written case table {@code verify/cases.tsv}: one row per (gold, response) pair with the
 * expected status, across every answer category, positive and negative.
 */
class VerifierCasesTest {
  private static final MathAnswerVerifier STRICT = MathAnswerVerifier.strict();
  private static final MathAnswerVerifier LENIENT = MathAnswerVerifier.lenient();

  record Case(int line, String category, String gold, String response, VerifyStatus expected,
      VerifyMode mode) {
    @Override
    public String toString() {
      return "line " + line + " [" + category + "] gold=" + gold + " response=" + response;
    }
  }

  static List<Case> cases() throws IOException {
    List<Case> out = new ArrayList<>();
    try (InputStream in = VerifierCasesTest.class.getResourceAsStream("/verify/cases.tsv");
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        String[] f = line.split("\t", -1);
        if (f.length < 4) {
          throw new IllegalStateException("cases.tsv line " + n + ": expected 4 or 5 columns");
        }
        VerifyMode mode = f.length > 4 ? VerifyMode.parse(f[4]) : VerifyMode.STRICT;
        out.add(new Case(n, f[0], f[1].replace("⏎", "\n"), f[2].replace("⏎", "\n"),
            VerifyStatus.valueOf(f[3].trim().toUpperCase(Locale.ROOT)), mode));
      }
    }
    return out;
  }

  static Stream<Arguments> caseArguments() throws IOException {
    return cases().stream().map(Arguments::of);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("caseArguments")
  void verifiesCase(Case c) {
    MathAnswerVerifier v = c.mode() == VerifyMode.STRICT ? STRICT : LENIENT;
    VerifyResult result = v.verify(c.response(), c.gold());
    assertThat(result.status()).as(c + " extracted=" + result.extracted()).isEqualTo(c.expected());
    if (result.status().hasReward()) {
      assertThat(result.reward()).isEqualTo(result.isCorrect() ? 1.0 : 0.0);
    } else {
      assertThat(result.reward()).isNull();
    }
  }

  @Test
  void tableCoversEveryCategoryWithPositiveAndNegativeCases() throws IOException {
    List<Case> all = cases();
    assertThat(all).hasSizeGreaterThanOrEqualTo(250);
    Map<String, int[]> byCategory = new HashMap<>();
    for (Case c : all) {
      int[] counts = byCategory.computeIfAbsent(c.category(), k -> new int[2]);
      counts[c.expected() == VerifyStatus.CORRECT ? 0 : 1]++;
    }
    assertThat(byCategory.keySet()).contains("extraction", "think", "number", "fraction",
        "mixed", "percent", "scientific", "unicode", "latex_noise", "units", "tuple", "interval",
        "set", "list", "equation", "matrix", "choice", "text", "base", "symbolic", "approx",
        "complex", "bigint", "inequality");
    byCategory.forEach((category, counts) -> {
      if (!category.equals("invalid_gold")) {
        assertThat(counts[0]).as(category + " positives").isPositive();
        assertThat(counts[1]).as(category + " negatives").isPositive();
      }
    });
  }
}
