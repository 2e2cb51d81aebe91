package com.replaylake.udfs.verify;

import java.io.Serializable;
import java.util.Objects;

/**
 * The math correctness reward (ALGORITHMS.md §2): extracts the final answer of a response and
 * decides whether it is equivalent to the gold answer.
 *
 * <p>Thread-safe and serializable (a Spark UDF ships it to executors). Each check runs under a
 * cooperative {@link Budget} (steps and wall clock) that the extractor, normalizer, parsers and
 * evaluators charge as they go: no thread is started, interrupted or signalled, and an exhausted
 * budget is reported as {@link VerifyStatus#TIMEOUT}, never as a 0 reward.
 *
 * <p>Gold answers may be a bare final answer ({@code \frac{1}{2}}) or a full solution: the last
 * {@code \boxed{}} or {@code #### N} of a gold solution is taken as the gold answer.
 */
public final class MathAnswerVerifier implements Serializable {
  private static final long serialVersionUID = 1L;

  private final VerifierConfig config;

  public MathAnswerVerifier(VerifierConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** A verifier with default settings in strict mode. */
  public static MathAnswerVerifier strict() {
    return new MathAnswerVerifier(VerifierConfig.of(VerifyMode.STRICT));
  }

  /** A verifier with default settings in lenient mode (last-number fallback). */
  public static MathAnswerVerifier lenient() {
    return new MathAnswerVerifier(VerifierConfig.of(VerifyMode.LENIENT));
  }

  public VerifierConfig config() {
    return config;
  }

  /**
   * Checks one response against one gold answer. Never throws for any input text; null response
   * gives {@link VerifyStatus#NO_ANSWER}, null or blank gold {@link VerifyStatus#INVALID_GOLD}.
   */
  public VerifyResult verify(String response, String gold) {
    Budget budget = new Budget(config.timeoutMillis() * 1_000_000L, config.maxSteps());
    String extracted = null;
    try {
      AnswerParser.Parsed g = parseGold(gold, budget);
      if (g == null) {
        AnswerExtractor.Extraction ex = AnswerExtractor.extract(response, config.mode(), budget);
        return VerifyResult.invalidGold(ex == null ? null : ex.answer());
      }
      AnswerExtractor.Extraction ex = AnswerExtractor.extract(response, config.mode(), budget);
      if (ex == null) {
        return VerifyResult.noAnswer();
      }
      extracted = ex.answer();
      AnswerParser.Parsed r = AnswerParser.parse(extracted, budget);
      boolean same = r.canonical().equals(g.canonical())
          || Equivalence.equivalent(g.answer(), r.answer(), budget);
      if (!same && ex.method() == AnswerExtractor.Method.BOXED) {
        String combined = boxedList(response, g.answer(), budget);
        if (combined != null) {
          extracted = combined;
          return VerifyResult.correct(combined);
        }
      }
      return same ? VerifyResult.correct(extracted) : VerifyResult.incorrect(extracted);
    } catch (Budget.Exhausted e) {
      return VerifyResult.timeout(extracted);
    }
  }

  /**
   * A solution list answered one value per box ("\\boxed{1} and \\boxed{-2}" for the gold
   * "1, -2"): when the gold is a list of n values, the last n boxes taken together as a list, if
   * they are equivalent to it; else null. Exactly n boxes are used, so hedging with extra boxes
   * gains nothing (and costs the format reward).
   */
  private static String boxedList(String response, Answer gold, Budget budget) {
    if (!(gold instanceof Answer.Collection c) || c.items().size() < 2 || c.items().size() > 16) {
      return null;
    }
    int n = c.items().size();
    String region = AnswerExtractor.withoutThinking(response, budget);
    java.util.List<String> boxes = AnswerExtractor.lastBoxes(region, n, budget);
    if (boxes.size() != n) {
      return null;
    }
    String combined = String.join(", ", boxes);
    AnswerParser.Parsed r = AnswerParser.parse(combined, budget);
    return Equivalence.equivalent(gold, r.answer(), budget) ? combined : null;
  }

  /** The gold's parsed answer (cached), or null when the gold is missing or blank. */
  private AnswerParser.Parsed parseGold(String gold, Budget budget) {
    if (gold == null) {
      return null;
    }
    int cacheSize = config.goldCacheSize();
    if (cacheSize > 0) {
      AnswerParser.Parsed cached = GoldCache.SHARED.get(gold);
      if (cached != null) {
        return cached;
      }
    }
    String answer = goldAnswer(gold, budget);
    if (answer == null || answer.isBlank()) {
      return null;
    }
    AnswerParser.Parsed parsed = AnswerParser.parse(answer, budget);
    if (parsed.canonical().isEmpty()) {
      return null;
    }
    GoldCache.SHARED.put(gold, parsed, cacheSize);
    return parsed;
  }

  /** The final answer of a gold string: its last box, its {@code ####} line, or itself. */
  static String goldAnswer(String gold, Budget budget) {
    String text = gold.trim();
    if (text.contains("\\boxed") || text.contains("\\fbox")) {
      String boxed = AnswerExtractor.lastBoxed(text, budget);
      if (boxed != null) {
        return boxed;
      }
    }
    if (text.contains("####")) {
      String hashes = AnswerExtractor.afterHashes(text, budget);
      if (hashes != null) {
        return hashes;
      }
    }
    return text;
  }
}
