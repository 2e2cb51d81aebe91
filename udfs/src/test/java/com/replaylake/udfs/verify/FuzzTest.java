package com.replaylake.udfs.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random token soups (fixed seeds, so failures reproduce) never make the verifier throw: every
 * input yields a status. A thrown exception would fail a whole Spark task.
 */
class FuzzTest {
  private static final String[] TOKENS = {
      "\\boxed{", "\\fbox{", "}", "{", "\\{", "\\}", "(", ")", "[", "]", "|", ",", "=", "+", "-",
      "*", "/", "^", "_", "!", ".", "0", "1", "2", "7", "10", "3.5", "1,000", "x", "y", "i", "e",
      "\\pi", "\\infty", "\\frac", "\\dfrac", "\\sqrt", "\\sqrt[3]", "\\binom", "\\sin", "\\log",
      "\\ln", "\\cdot", "\\times", "\\div", "\\pm", "\\cup", "\\in", "\\le", "\\text{", "\\mbox{",
      "cm", " and ", " or ", "%", "\\%", "^\\circ", "\\left(", "\\right)", "\\begin{pmatrix}",
      "\\end{pmatrix}", "&", "\\\\", "####", "\n", " ", "The answer is ", "<think>", "</think>",
      "$", "\\$", "(A)", "B", "_5", "\u2212", "\u00bd", "\u221a", "\u03c0", "e5", "E-3", "0.",
      "\\", "\\!", "\\,", "\\overline{", "\\alpha", "x_1", "2^{100}", "100!", "\\begin{bmatrix}"};

  private static String soup(Random r, int maxTokens) {
    StringBuilder b = new StringBuilder();
    int n = 1 + r.nextInt(maxTokens);
    for (int i = 0; i < n; i++) {
      b.append(TOKENS[r.nextInt(TOKENS.length)]);
    }
    return b.toString();
  }

  @Test
  void randomInputsAlwaysGetAStatus() {
    MathAnswerVerifier strict = MathAnswerVerifier.strict();
    MathAnswerVerifier lenient = MathAnswerVerifier.lenient();
    Random r = new Random(20261127L);
    for (int i = 0; i < 20_000; i++) {
      String gold = soup(r, 12);
      String response = (r.nextBoolean() ? "\\boxed{" : "") + soup(r, 16) + (r.nextBoolean() ? "}" : "");
      String context = "gold=" + gold + " response=" + response;
      VerifyResult a = call(strict, response, gold, context);
      VerifyResult b = call(lenient, response, gold, context);
      assertThat(a.status()).as(context).isNotNull();
      assertThat(b.status()).as(context).isNotNull();
      // the gold against itself: equivalent whenever it parses and the box is well formed
      VerifyResult self = call(strict, "\\boxed{" + gold + "}", gold, context);
      assertThat(self.status()).as(context).isNotNull();
    }
  }

  @Test
  void randomCharactersAndCommandsAlwaysGetAStatus() {
    String alphabet = "\\{}()[]|,=+-*/^_!.0123456789xyzieE%$&#<>:;~ \n\t'\"abcABCDE"
        + "\u2212\u00bd\u221a\u03c0\u00b2\u00b0\u221e\u00b1\u2264";
    String[] commands = {"frac", "sqrt", "boxed", "text", "left", "right", "pi", "infty", "cdot",
        "pm", "cup", "in", "le", "begin{pmatrix}", "end{pmatrix}", "binom", "log", "sin", "circ",
        "mathbf", "dfrac", "!"};
    MathAnswerVerifier lenient = MathAnswerVerifier.lenient();
    Random r = new Random(1L);
    for (int i = 0; i < 20_000; i++) {
      String[] s = new String[2];
      for (int k = 0; k < 2; k++) {
        StringBuilder b = new StringBuilder(k == 1 && r.nextBoolean() ? "\\boxed{" : "");
        int len = r.nextInt(40);
        for (int j = 0; j < len; j++) {
          if (r.nextInt(5) == 0) {
            b.append('\\').append(commands[r.nextInt(commands.length)]);
          } else {
            b.append(alphabet.charAt(r.nextInt(alphabet.length())));
          }
        }
        s[k] = b.toString();
      }
      String context = "gold=" + s[0] + " response=" + s[1];
      assertThat(call(lenient, s[1], s[0], context).status()).isNotNull();
      assertThat(call(lenient, "\\boxed{" + s[0] + "}", s[0], context).status()).isNotNull();
    }
  }

  @Test
  void emptyEquationSidesDoNotThrow() {
    MathAnswerVerifier v = MathAnswerVerifier.strict();
    for (String gold : new String[] {"=1_1=i", "= =3", "=", "x==2", "=5"}) {
      assertThat(call(v, "\\boxed{5}", gold, gold).status()).isNotNull();
      assertThat(call(v, "\\boxed{" + gold + "}", "5", gold).status()).isNotNull();
    }
  }

  @Test
  void goldsThatParseAsScalarsVerifyAgainstThemselves() {
    MathAnswerVerifier strict = new MathAnswerVerifier(VerifierConfig.defaults().withGoldCacheSize(0));
    String[] atoms = {"x", "y", "2", "7", "\\pi", "\\sqrt{2}", "\\frac{1}{3}", "(x+1)", "e", "i", "0.5"};
    String[] ops = {"+", "-", "\\cdot", "/", "^"};
    Random r = new Random(7L);
    int checked = 0;
    for (int i = 0; i < 3_000; i++) {
      StringBuilder b = new StringBuilder(atoms[r.nextInt(atoms.length)]);
      int n = 1 + r.nextInt(4);
      for (int k = 0; k < n; k++) {
        String op = ops[r.nextInt(ops.length)];
        String atom = atoms[r.nextInt(atoms.length)];
        b.append(op).append(op.equals("^") ? "{" + atom + "}" : atom);
      }
      String gold = b.toString();
      VerifyResult self = strict.verify("\\boxed{" + gold + "}", gold);
      VerifyResult spaced = strict.verify("\\boxed{ " + gold.replace("+", " + ") + " }", gold);
      assertThat(self.status()).as(gold).isEqualTo(VerifyStatus.CORRECT);
      assertThat(spaced.status()).as(gold).isIn(VerifyStatus.CORRECT);
      checked++;
    }
    assertThat(checked).isEqualTo(3_000);
  }

  private static VerifyResult call(MathAnswerVerifier v, String response, String gold, String context) {
    try {
      return v.verify(response, gold);
    } catch (RuntimeException | StackOverflowError e) {
      throw new AssertionError("threw on " + context, e);
    }
  }
}
