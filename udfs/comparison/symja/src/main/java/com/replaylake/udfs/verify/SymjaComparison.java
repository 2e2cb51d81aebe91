package com.replaylake.udfs.verify;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.matheclipse.core.eval.ExprEvaluator;
import org.matheclipse.core.expression.F;
import org.matheclipse.core.form.tex.TeXParser;
import org.matheclipse.core.interfaces.IExpr;

/**
 * Compares the verifier's equivalence decisions and speed with Symja's (TeX parser, then
 * {@code PossibleZeroQ[gold - answer]}) on the same extracted and normalized answers: the scalar
 * rows of the case table, and MATH-500's scalar golds against an equivalent rewriting
 * {@code \frac{2(G)}{2}} and against the next problem's gold. Prints counts, the rows Symja gets
 * wrong, and checks per second of both, measured in the same loop.
 */
public final class SymjaComparison {
  private SymjaComparison() {}

  record Case(String gold, String answer, boolean expectCorrect, String category) {}

  public static void main(String[] args) throws Exception {
    Path cases = Path.of(args[0]);
    Path math = Path.of(args[1]);
    List<Case> scalarCases = new ArrayList<>();
    for (String line : Files.readAllLines(cases, StandardCharsets.UTF_8)) {
      if (line.startsWith("#") || line.isBlank()) continue;
      String[] f = line.split("\t", -1);
      String status = f[3].trim();
      if (!status.equals("correct") && !status.equals("incorrect")) continue;
      VerifyMode mode = f.length > 4 ? VerifyMode.parse(f[4]) : VerifyMode.STRICT;
      AnswerExtractor.Extraction ex = AnswerExtractor.extract(f[2].replace("⏎", "\n"), mode);
      if (ex == null) continue;
      String gold = MathAnswerVerifier.goldAnswer(f[1].replace("⏎", "\n"), Budget.unlimited());
      AnswerParser.Parsed g = AnswerParser.parse(gold, Budget.unlimited());
      AnswerParser.Parsed r = AnswerParser.parse(ex.answer(), Budget.unlimited());
      if (g.answer() instanceof Answer.Scalar && r.answer() instanceof Answer.Scalar) {
        scalarCases.add(new Case(LatexNormalizer.normalize(gold, Budget.unlimited()),
            LatexNormalizer.normalize(ex.answer(), Budget.unlimited()), status.equals("correct"), f[0]));
      }
    }
    ExprEvaluator ev = new ExprEvaluator();
    TeXParser tex = new TeXParser();
    MathAnswerVerifier ours = new MathAnswerVerifier(VerifierConfig.defaults().withGoldCacheSize(0));
    int symjaRight = 0, oursRight = 0, symjaErrors = 0;
    List<String> symjaWrong = new ArrayList<>();
    long symjaNanos = 0, oursNanos = 0;
    for (Case c : scalarCases) {
      long t0 = System.nanoTime();
      Boolean s = symjaEquivalent(ev, tex, c.gold(), c.answer());
      symjaNanos += System.nanoTime() - t0;
      if (s == null) symjaErrors++;
      if (s != null && s == c.expectCorrect()) symjaRight++; else symjaWrong.add(c.category() + ": " + c.gold() + " vs " + c.answer() + " expected " + c.expectCorrect() + " got " + s);
      t0 = System.nanoTime();
      boolean o = ours.verify("\\boxed{" + c.answer() + "}", c.gold()).isCorrect();
      oursNanos += System.nanoTime() - t0;
      if (o == c.expectCorrect()) oursRight++;
    }
    System.out.printf(Locale.ROOT, "case table, scalar rows: %d; symja right %d (errors %d), ours right %d%n",
        scalarCases.size(), symjaRight, symjaErrors, oursRight);
    System.out.printf(Locale.ROOT, "first pass time: symja %.1f ms/check, ours %.3f ms/check%n",
        symjaNanos / 1e6 / scalarCases.size(), oursNanos / 1e6 / scalarCases.size());
    symjaWrong.forEach(w -> System.out.println("  symja wrong: " + w));

    // MATH-500 scalar golds: self and rewritten \frac{2(G)}{2}
    com.fasterxml.jackson.databind.ObjectMapper m = new com.fasterxml.jackson.databind.ObjectMapper();
    List<String> golds = new ArrayList<>();
    for (String line : Files.readAllLines(math, StandardCharsets.UTF_8)) {
      String gold = m.readTree(line).get("answer").asText();
      if (AnswerParser.parse(gold, Budget.unlimited()).answer() instanceof Answer.Scalar) {
        golds.add(LatexNormalizer.normalize(gold, Budget.unlimited()));
      }
    }
    for (int round = 0; round < 6; round++) {
      int sOk = 0, oOk = 0, sNeg = 0, oNeg = 0;
      long st = 0, ot = 0;
      int n = 0;
      for (int i = 0; i < golds.size(); i++) {
        String g = golds.get(i);
        String rewritten = "\\frac{2\\left(" + g + "\\right)}{2}";
        String other = golds.get((i + 1) % golds.size());
        long t0 = System.nanoTime();
        Boolean a = symjaEquivalent(ev, tex, g, rewritten);
        Boolean b = symjaEquivalent(ev, tex, g, other);
        st += System.nanoTime() - t0;
        t0 = System.nanoTime();
        boolean c = ours.verify("\\boxed{" + rewritten + "}", g).isCorrect();
        boolean d = ours.verify("\\boxed{" + other + "}", g).isCorrect();
        ot += System.nanoTime() - t0;
        n += 2;
        if (Boolean.TRUE.equals(a)) sOk++;
        if (c) {
          oOk++;
        } else if (round == 0) {
          System.out.println("  ours rejects rewritten: " + g + " (symja " + a + ")");
        }
        if (!g.equals(other) && Boolean.TRUE.equals(b)) sNeg++;
        if (!g.equals(other) && d) oNeg++;
      }
      System.out.printf(Locale.ROOT, "round %d MATH-500 scalar golds %d: rewritten accepted symja %d ours %d;"
          + " other gold accepted symja %d ours %d; symja %.0f checks/s, ours %.0f checks/s%n",
          round, golds.size(), sOk, oOk, sNeg, oNeg, n / (st / 1e9), n / (ot / 1e9));
    }
  }

  static Boolean symjaEquivalent(ExprEvaluator ev, TeXParser tex, String gold, String answer) {
    try {
      IExpr g = tex.parse(gold);
      IExpr r = tex.parse(answer);
      IExpr zero = ev.eval(F.PossibleZeroQ(F.Subtract(g, r)));
      return zero.isTrue();
    } catch (RuntimeException | StackOverflowError e) {
      return null;
    }
  }
}
