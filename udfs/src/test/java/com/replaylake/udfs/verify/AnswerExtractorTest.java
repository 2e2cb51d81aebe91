package com.replaylake.udfs.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AnswerExtractorTest {
  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "\\boxed{\\frac{a}{b}} | \\frac{a}{b} | BOXED",
      "\\boxed{\\{1,2\\}}   | \\{1,2\\}    | BOXED",
      "x \\boxed {7} y      | 7            | BOXED",
      "\\fbox{8}            | 8            | BOXED",
      "\\boxed{1} \\fbox{2} | 2            | BOXED",
      "\\boxed 9$           | 9            | BOXED",
      "`#### 12\nthanks`    | 12           | HASHES",
      "###### 13            | 13           | HASHES",
      "`#### \n#### 14`     | 14           | HASHES",
      "The answer is 15.    | 15           | ANSWER_PHRASE",
      "answer: $16$ done    | 16           | ANSWER_PHRASE",
      "Answer is **17**.    | 17           | ANSWER_PHRASE",
      "answer is $$18$$     | 18           | ANSWER_PHRASE",
      "The answer is \\[19\\] | 19         | ANSWER_PHRASE",
      "`The answer is 2.5.\nMore text` | 2.5 | ANSWER_PHRASE",
  })
  void extractsStrictAnswers(String response, String answer, AnswerExtractor.Method method) {
    AnswerExtractor.Extraction e = AnswerExtractor.extract(response, VerifyMode.STRICT);
    assertThat(e).isNotNull();
    assertThat(e.answer()).isEqualTo(answer);
    assertThat(e.method()).isEqualTo(method);
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "it is 42 or so                 | 42",
      "costs -3.5 now                 | -3.5",
      "total 1,234,567 items          | 1,234,567",
      "ratio 3/4.                     | 3/4",
      "`x = −7`                        | -7",
  })
  void lenientFallsBackToTheLastNumber(String response, String answer) {
    assertThat(AnswerExtractor.extract(response, VerifyMode.STRICT)).isNull();
    AnswerExtractor.Extraction e = AnswerExtractor.extract(response, VerifyMode.LENIENT);
    assertThat(e.answer()).isEqualTo(answer);
    assertThat(e.method()).isEqualTo(AnswerExtractor.Method.LAST_NUMBER);
  }

  @Test
  void thinkingIsRemoved() {
    assertThat(AnswerExtractor.withoutThinking("a<think>b</think>c<think>d</think>e")).isEqualTo("ace");
    assertThat(AnswerExtractor.withoutThinking("a<think>b")).isEqualTo("a");
    assertThat(AnswerExtractor.withoutThinking("b</think>c")).isEqualTo("c");
    assertThat(AnswerExtractor.withoutThinking("no tags")).isEqualTo("no tags");
  }

  @Test
  void nullAndEmptyHaveNoAnswer() {
    assertThat(AnswerExtractor.extract(null, VerifyMode.LENIENT)).isNull();
    assertThat(AnswerExtractor.extract("", VerifyMode.LENIENT)).isNull();
    assertThat(AnswerExtractor.extract("\\boxed{ }", VerifyMode.STRICT)).isNull();
  }
}
