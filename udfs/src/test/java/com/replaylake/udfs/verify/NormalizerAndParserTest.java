package com.replaylake.udfs.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NormalizerAndParserTest {
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "\\left( 3, \\dfrac{\\pi}{2} \\right) | ( 3, \\frac{\\pi}{2} )",
      "10,\\!080                          | 10,080",
      "\\$18.90                           | 18.90",
      "90^\\circ                          | 90",
      "90^{\\circ}                        | 90",
      "15\\mbox{ cm}^2                    | 15",
      "5.4 \\text{ cents}                 | 5.4",
      "\\text{Evelyn}                     | Evelyn",
      "1 \\text{ and } 2                  | 1 , 2",
      "50\\%                              | 50%",
      "`−½`                               | -\\frac{1}{2}",
      "sqrt(2)                            | \\sqrt(2)",
      "\\displaystyle\\frac12             | \\frac 12",
      "18 dollars.                        | 18",
      "x^2 + 1.                           | x^2 + 1",
      "\\operatorname{arcsin} x           | \\arcsin x",
  })
  void normalizes(String raw, String expected) {
    assertThat(LatexNormalizer.normalize(raw, Budget.unlimited())).isEqualTo(expected);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = ';', value = {
      "2x+1              ; ADD[MUL[2, x], 1]",
      "-x^2              ; NEG[POW[x, 2]]",
      "2^3^2             ; POW[2, POW[3, 2]]",
      "\\frac 34         ; DIV[3, 4]",
      "1\\frac{1}{2}     ; 3/2",
      "|x-1|             ; ABS[ADD[x, NEG[1]]]",
      "\\sqrt[3]{8}      ; ROOT[8, 3]",
      "\\sin^2 x         ; POW[sin[x], 2]",
      "\\log_2 8         ; log[8, 2]",
      "5!                ; FACT[5]",
      "x_1y              ; MUL[x_1, y]",
      "1.5e3             ; 1500",
  })
  void parsesExpressions(String text, String tree) throws ParseFailure {
    assertThat(ExpressionParser.parse(text, Budget.unlimited()).toString()).isEqualTo(tree);
  }

  @ParameterizedTest
  @CsvSource(delimiter = ';', value = {"1+", "(1", "\\frac{1}", "\\unknown{x}", "x^", "1 2 )", "|x", "\\sqrt"})
  void rejectsMalformedExpressions(String text) {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> ExpressionParser.parse(text, Budget.unlimited()))
        .isInstanceOf(ParseFailure.class);
  }

  @Test
  void classifiesAnswerStructures() {
    assertThat(parse("(1, 2]")).isInstanceOf(Answer.Sequence.class);
    assertThat(parse("\\{1, 2\\}")).isInstanceOf(Answer.Collection.class);
    assertThat(parse("1, 2")).isInstanceOf(Answer.Collection.class);
    assertThat(parse("1,234")).isInstanceOf(Answer.Scalar.class);
    assertThat(parse("(1,2) \\cup (3,4)")).isInstanceOf(Answer.Union.class);
    assertThat(parse("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}")).isInstanceOf(Answer.Matrix.class);
    assertThat(parse("y = 2x")).isInstanceOf(Answer.Equation.class);
    assertThat(parse("\\text{(B)}")).isEqualTo(new Answer.Choice('B'));
    assertThat(parse("east")).isEqualTo(new Answer.Text("east"));
    assertThat(parse("204_{5}")).isEqualTo(new Answer.BaseNumber("204", "5"));
    assertThat(parse("x \\le 3")).isInstanceOfSatisfying(Answer.Sequence.class, q -> {
      assertThat(q.open()).isEqualTo('(');
      assertThat(q.close()).isEqualTo(']');
    });
    assertThat(parse("x \\ne 3")).isInstanceOf(Answer.Raw.class);
    assertThat(parse("(a+5)(b+2)")).isInstanceOf(Answer.Scalar.class);
  }

  private static Answer parse(String s) {
    return AnswerParser.parse(s, Budget.unlimited()).answer();
  }
}
