package com.replaylake.udfs.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class VerifierApiTest {
  @Test
  void resultsCarryARewardExactlyWhenTheStatusHasOne() {
    assertThatThrownBy(() -> new VerifyResult(null, VerifyStatus.CORRECT, "1"))
        .hasMessageContaining("status correct");
    assertThatThrownBy(() -> new VerifyResult(0.0, VerifyStatus.TIMEOUT, null))
        .hasMessageContaining("status timeout");
    assertThat(new VerifyResult(null, VerifyStatus.INVALID_GOLD, null).reward()).isNull();
  }

  @Test
  void longExtractedAnswersAreCut() {
    VerifyResult r = new VerifyResult(0.0, VerifyStatus.INCORRECT, "x".repeat(5000));
    assertThat(r.extracted()).hasSize(VerifyResult.MAX_EXTRACTED_CHARS).endsWith("\u2026");
  }

  @Test
  void configValidatesItsValues() {
    assertThatThrownBy(() -> VerifierConfig.defaults().withTimeoutMillis(0)).hasMessageContaining("timeoutMillis");
    assertThatThrownBy(() -> VerifierConfig.defaults().withMaxSteps(-1)).hasMessageContaining("maxSteps");
    assertThatThrownBy(() -> VerifierConfig.defaults().withGoldCacheSize(-1)).hasMessageContaining("goldCacheSize");
    assertThat(VerifierConfig.defaults().mode()).isEqualTo(VerifyMode.STRICT);
  }

  @Test
  void modesAndStatusesHaveStableLabels() {
    assertThat(VerifyMode.parse(" Lenient ")).isEqualTo(VerifyMode.LENIENT);
    assertThatThrownBy(() -> VerifyMode.parse("loose")).hasMessageContaining("'loose'");
    assertThat(VerifyStatus.INVALID_GOLD.label()).isEqualTo("invalid_gold");
    assertThat(VerifyStatus.NO_ANSWER.hasReward()).isTrue();
    assertThat(VerifyStatus.TIMEOUT.hasReward()).isFalse();
  }

  @Test
  void goldCacheIsBoundedAndUsed() {
    GoldCache cache = new GoldCache();
    AnswerParser.Parsed p = AnswerParser.parse("1", Budget.unlimited());
    for (int i = 0; i < 100; i++) {
      cache.put("g" + i, p, 10);
      assertThat(cache.size()).isLessThanOrEqualTo(10);
    }
    assertThat(cache.get("g99")).isSameAs(p);
    assertThat(cache.get("g0")).isNull();
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(1);
    cache.put("x", p, 0);
    assertThat(cache.get("x")).isNull();
    cache.put("y".repeat(GoldCache.MAX_KEY_CHARS + 1), p, 10);
    assertThat(cache.size()).isLessThanOrEqualTo(10);
    assertThat(cache.get("y".repeat(GoldCache.MAX_KEY_CHARS + 1))).isNull();
  }

  @Test
  void goldCacheIsBoundedByCharacters() {
    GoldCache cache = new GoldCache();
    AnswerParser.Parsed p = AnswerParser.parse("1", Budget.unlimited());
    String key = "k".repeat(GoldCache.MAX_KEY_CHARS - 8);
    long entries = GoldCache.MAX_TOTAL_CHARS / key.length() + 10;
    for (long i = 0; i < entries; i++) {
      cache.put(key + i, p, Integer.MAX_VALUE);
      assertThat(cache.totalChars()).isLessThanOrEqualTo(GoldCache.MAX_TOTAL_CHARS);
    }
    assertThat(cache.size()).isPositive().isLessThan((int) entries);
  }

  @Test
  void cachedAndUncachedVerifiersAgree() {
    MathAnswerVerifier cached = MathAnswerVerifier.strict();
    MathAnswerVerifier uncached = new MathAnswerVerifier(VerifierConfig.defaults().withGoldCacheSize(0));
    String[][] pairs = {{"\\boxed{2}", "2"}, {"\\boxed{3}", "2"}, {"\\boxed{(x+1)^2}", "x^2+2x+1"},
        {"no answer", "5"}, {"#### 7", "The answer is \\boxed{7}"}};
    for (int round = 0; round < 2; round++) {
      for (String[] p : pairs) {
        assertThat(cached.verify(p[0], p[1])).isEqualTo(uncached.verify(p[0], p[1]));
      }
    }
  }

  @Test
  void verifierIsSerializable() throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try (java.io.ObjectOutputStream out = new java.io.ObjectOutputStream(bytes)) {
      out.writeObject(MathAnswerVerifier.lenient());
    }
    try (java.io.ObjectInputStream in = new java.io.ObjectInputStream(
        new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
      MathAnswerVerifier copy = (MathAnswerVerifier) in.readObject();
      assertThat(copy.config().mode()).isEqualTo(VerifyMode.LENIENT);
      assertThat(copy.verify("it is 4", "4").isCorrect()).isTrue();
    }
  }
}
