package com.replaylake.policy.learn;

import com.replaylake.policy.PolicyErrors;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every setting of the learner, with the defaults of ALGORITHMS.md §3-4 (DAPO's clip-higher,
 * ReMix's p, N, m, T and λ schedule; where the papers leave a value open the default is ours and
 * says so in {@link #KEYS}). Values are checked when the record is built; an error names the key.
 *
 * <p>{@code grpo} is the on-policy special case of {@code remix}: replay fraction 0, one pass per
 * batch (UTD 1), λ = 1 (KL to the base only); building a {@code grpo} config with a replay
 * fraction or UTD other than those is an error rather than a silent override.
 *
 * <p>String form ({@link #fromMap}, {@link #toMap}): the keys below, values as in {@link
 * #toMap}; unknown keys are an error. Precedence (command line over file over default) is the
 * caller's; this class only supplies the defaults.
 */
public record LearnerConfig(
    Algorithm algorithm,
    double learningRate,
    int warmupSteps,
    LrSchedule lrSchedule,
    int totalSteps,
    double minLrRatio,
    double weightDecay,
    double adamBeta1,
    double adamBeta2,
    double adamEps,
    double gradClip,
    double clipEpsLow,
    double clipEpsHigh,
    LossNormalization lossNorm,
    int lossNormLength,
    double klBeta,
    double entropyCoef,
    double replayFraction,
    int replayVersions,
    int utd,
    int reincarnationStep,
    int klConvexStart,
    int klConvexPeriod,
    double klConvexDecay,
    double klConvexMin,
    int microBatchTokens) {

  /** The training algorithm. */
  public enum Algorithm {
    /** On-policy GRPO/DAPO-style PPO-clip. */
    GRPO,
    /** ReMix: Mix-PPG over fresh + replayed data, UTD, KL-Convex, reincarnation. */
    REMIX;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Algorithm parse(String value) {
      for (Algorithm a : values()) {
        if (a.key().equals(value)) {
          return a;
        }
      }
      throw PolicyErrors.badLearnerConfig(ALGORITHM, value, "use grpo or remix");
    }
  }

  /** Learning-rate shape after warmup. */
  public enum LrSchedule {
    CONSTANT,
    /** Cosine from lr down to lr · min_lr_ratio at total_steps. */
    COSINE;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static LrSchedule parse(String value) {
      for (LrSchedule s : values()) {
        if (s.key().equals(value)) {
          return s;
        }
      }
      throw PolicyErrors.badLearnerConfig(LR_SCHEDULE, value, "use constant or cosine");
    }
  }

  public static final String ALGORITHM = "algorithm";
  public static final String LR = "lr";
  public static final String WARMUP_STEPS = "warmup_steps";
  public static final String LR_SCHEDULE = "lr_schedule";
  public static final String TOTAL_STEPS = "total_steps";
  public static final String MIN_LR_RATIO = "min_lr_ratio";
  public static final String WEIGHT_DECAY = "weight_decay";
  public static final String ADAM_BETA1 = "adam_beta1";
  public static final String ADAM_BETA2 = "adam_beta2";
  public static final String ADAM_EPS = "adam_eps";
  public static final String GRAD_CLIP = "grad_clip";
  public static final String CLIP_EPS_LOW = "clip_eps_low";
  public static final String CLIP_EPS_HIGH = "clip_eps_high";
  public static final String LOSS_NORM = "loss_norm";
  public static final String LOSS_NORM_LENGTH = "loss_norm_length";
  public static final String KL_BETA = "kl_beta";
  public static final String ENTROPY_COEF = "entropy_coef";
  public static final String REPLAY_FRACTION = "replay_fraction";
  public static final String REPLAY_VERSIONS = "replay_versions";
  public static final String UTD = "utd";
  public static final String REINCARNATION_STEP = "reincarnation_step";
  public static final String KL_CONVEX_START = "kl_convex_start";
  public static final String KL_CONVEX_PERIOD = "kl_convex_period";
  public static final String KL_CONVEX_DECAY = "kl_convex_decay";
  public static final String KL_CONVEX_MIN = "kl_convex_min";
  public static final String MICRO_BATCH_TOKENS = "micro_batch_tokens";

  /** Every key with one line of documentation (default in brackets), in {@link #toMap} order. */
  public static final Map<String, String> KEYS;

  static {
    Map<String, String> k = new LinkedHashMap<>();
    k.put(ALGORITHM, "grpo | remix [grpo]; grpo defaults replay_fraction to 0 and utd to 1 and refuses other values");
    k.put(LR, "AdamW peak learning rate [1e-6, the ReMix/DeepScaleR setting]");
    k.put(WARMUP_STEPS, "linear warmup over this many optimizer updates [0]");
    k.put(LR_SCHEDULE, "constant | cosine after warmup [constant]");
    k.put(TOTAL_STEPS, "optimizer updates the cosine schedule spans; required for cosine [0]");
    k.put(MIN_LR_RATIO, "cosine floor as a fraction of lr [0]");
    k.put(WEIGHT_DECAY, "decoupled weight decay on >= 2-D weights [0.01, ours/verl]");
    k.put(ADAM_BETA1, "AdamW beta1 [0.9]");
    k.put(ADAM_BETA2, "AdamW beta2 [0.999]");
    k.put(ADAM_EPS, "AdamW epsilon [1e-8]");
    k.put(GRAD_CLIP, "global gradient L2-norm clip; 0 disables [1.0]");
    k.put(CLIP_EPS_LOW, "PPO clip below the centre c: max(0, c - eps_low) [0.2]");
    k.put(CLIP_EPS_HIGH, "PPO clip above the centre c: c + eps_high (clip-higher) [0.28]");
    k.put(LOSS_NORM, "token | sequence | constant [token]");
    k.put(LOSS_NORM_LENGTH, "L_max of constant normalization; 0 = longest response [0]");
    k.put(KL_BETA, "KL (k3) coefficient beta; 0 skips the reference model [0.001, ours/verl]");
    k.put(ENTROPY_COEF, "entropy bonus coefficient (loss -= coef * entropy) [0]");
    k.put(REPLAY_FRACTION, "ReMix: fraction p of a batch replayed from older versions [0.4]");
    k.put(REPLAY_VERSIONS, "ReMix: replay from the last N versions [2]");
    k.put(UTD, "ReMix: update-to-data ratio m, passes over each batch [2]");
    k.put(REINCARNATION_STEP, "ReMix: step T of base <- current and on-policy after; 0 = never"
        + " [50]");
    k.put(KL_CONVEX_START, "lambda(t) starts decaying after this step [50]");
    k.put(KL_CONVEX_PERIOD, "lambda(t) drops every this many steps [10]");
    k.put(KL_CONVEX_DECAY, "lambda(t) drop per period [0.1]");
    k.put(KL_CONVEX_MIN, "lambda(t) floor [0.5]");
    k.put(MICRO_BATCH_TOKENS, "padded tokens (rows x longest sequence) per micro-batch; bounds"
        + " learner memory [4096, ours]");
    KEYS = Collections.unmodifiableMap(k);
  }

  public LearnerConfig {
    if (algorithm == null) {
      throw PolicyErrors.badLearnerConfig(ALGORITHM, null, "use grpo or remix");
    }
    positive(LR, learningRate);
    atLeast(WARMUP_STEPS, warmupSteps, 0);
    if (lrSchedule == null) {
      throw PolicyErrors.badLearnerConfig(LR_SCHEDULE, null, "use constant or cosine");
    }
    atLeast(TOTAL_STEPS, totalSteps, 0);
    if (lrSchedule == LrSchedule.COSINE && totalSteps <= warmupSteps) {
      throw PolicyErrors.badLearnerConfig(TOTAL_STEPS, totalSteps,
          "the cosine schedule needs total_steps > warmup_steps (" + warmupSteps + ")");
    }
    unit(MIN_LR_RATIO, minLrRatio, true);
    nonNegative(WEIGHT_DECAY, weightDecay);
    unit(ADAM_BETA1, adamBeta1, false);
    unit(ADAM_BETA2, adamBeta2, false);
    positive(ADAM_EPS, adamEps);
    nonNegative(GRAD_CLIP, gradClip);
    unit(CLIP_EPS_LOW, clipEpsLow, true);
    nonNegative(CLIP_EPS_HIGH, clipEpsHigh);
    if (lossNorm == null) {
      throw PolicyErrors.badLearnerConfig(LOSS_NORM, null, "use token, sequence or constant");
    }
    atLeast(LOSS_NORM_LENGTH, lossNormLength, 0);
    nonNegative(KL_BETA, klBeta);
    nonNegative(ENTROPY_COEF, entropyCoef);
    if (!(replayFraction >= 0 && replayFraction < 1)) {
      throw PolicyErrors.badLearnerConfig(REPLAY_FRACTION, replayFraction,
          "it must be in [0, 1): a batch needs fresh data from the current policy");
    }
    atLeast(REPLAY_VERSIONS, replayVersions, 1);
    atLeast(UTD, utd, 1);
    atLeast(REINCARNATION_STEP, reincarnationStep, 0);
    atLeast(KL_CONVEX_START, klConvexStart, 0);
    atLeast(KL_CONVEX_PERIOD, klConvexPeriod, 1);
    unit(KL_CONVEX_DECAY, klConvexDecay, true);
    unit(KL_CONVEX_MIN, klConvexMin, true);
    atLeast(MICRO_BATCH_TOKENS, microBatchTokens, 1);
    if (algorithm == Algorithm.GRPO) {
      if (replayFraction != 0) {
        throw PolicyErrors.badLearnerConfig(REPLAY_FRACTION, replayFraction,
            "grpo is on-policy (replay fraction 0); use algorithm=remix to replay");
      }
      if (utd != 1) {
        throw PolicyErrors.badLearnerConfig(UTD, utd,
            "grpo makes one pass per batch (utd 1); use algorithm=remix for more");
      }
    }
  }

  /** The defaults of {@code algorithm}. */
  public static LearnerConfig defaults(Algorithm algorithm) {
    boolean remix = algorithm == Algorithm.REMIX;
    return new LearnerConfig(algorithm, 1e-6, 0, LrSchedule.CONSTANT, 0, 0.0, 0.01, 0.9, 0.999,
        1e-8, 1.0, 0.2, 0.28, LossNormalization.TOKEN, 0, 0.001, 0.0, remix ? 0.4 : 0.0, 2,
        remix ? 2 : 1, 50, 50, 10, 0.1, 0.5, 4096);
  }

  /**
   * Parses string options over the defaults of their {@code algorithm} (default grpo). Unknown
   * keys and unparsable values fail naming the key.
   */
  public static LearnerConfig fromMap(Map<String, String> options) {
    for (String key : options.keySet()) {
      if (!KEYS.containsKey(key)) {
        throw PolicyErrors.badLearnerConfig(key, options.get(key),
            "unknown key; known keys: " + String.join(", ", KEYS.keySet()));
      }
    }
    Algorithm alg = Algorithm.parse(options.getOrDefault(ALGORITHM, Algorithm.GRPO.key()));
    Map<String, String> m = new LinkedHashMap<>(defaults(alg).toMap());
    m.putAll(options);
    return new LearnerConfig(alg, dbl(m, LR), integer(m, WARMUP_STEPS),
        LrSchedule.parse(m.get(LR_SCHEDULE)), integer(m, TOTAL_STEPS), dbl(m, MIN_LR_RATIO),
        dbl(m, WEIGHT_DECAY), dbl(m, ADAM_BETA1), dbl(m, ADAM_BETA2), dbl(m, ADAM_EPS),
        dbl(m, GRAD_CLIP), dbl(m, CLIP_EPS_LOW), dbl(m, CLIP_EPS_HIGH),
        LossNormalization.parse(m.get(LOSS_NORM)), integer(m, LOSS_NORM_LENGTH),
        dbl(m, KL_BETA), dbl(m, ENTROPY_COEF), dbl(m, REPLAY_FRACTION),
        integer(m, REPLAY_VERSIONS), integer(m, UTD), integer(m, REINCARNATION_STEP),
        integer(m, KL_CONVEX_START), integer(m, KL_CONVEX_PERIOD), dbl(m, KL_CONVEX_DECAY),
        dbl(m, KL_CONVEX_MIN), integer(m, MICRO_BATCH_TOKENS));
  }

  /** Every key and its value as a string ({@link #fromMap} reads it back to an equal record). */
  public Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(ALGORITHM, algorithm.key());
    m.put(LR, Double.toString(learningRate));
    m.put(WARMUP_STEPS, Integer.toString(warmupSteps));
    m.put(LR_SCHEDULE, lrSchedule.key());
    m.put(TOTAL_STEPS, Integer.toString(totalSteps));
    m.put(MIN_LR_RATIO, Double.toString(minLrRatio));
    m.put(WEIGHT_DECAY, Double.toString(weightDecay));
    m.put(ADAM_BETA1, Double.toString(adamBeta1));
    m.put(ADAM_BETA2, Double.toString(adamBeta2));
    m.put(ADAM_EPS, Double.toString(adamEps));
    m.put(GRAD_CLIP, Double.toString(gradClip));
    m.put(CLIP_EPS_LOW, Double.toString(clipEpsLow));
    m.put(CLIP_EPS_HIGH, Double.toString(clipEpsHigh));
    m.put(LOSS_NORM, lossNorm.key());
    m.put(LOSS_NORM_LENGTH, Integer.toString(lossNormLength));
    m.put(KL_BETA, Double.toString(klBeta));
    m.put(ENTROPY_COEF, Double.toString(entropyCoef));
    m.put(REPLAY_FRACTION, Double.toString(replayFraction));
    m.put(REPLAY_VERSIONS, Integer.toString(replayVersions));
    m.put(UTD, Integer.toString(utd));
    m.put(REINCARNATION_STEP, Integer.toString(reincarnationStep));
    m.put(KL_CONVEX_START, Integer.toString(klConvexStart));
    m.put(KL_CONVEX_PERIOD, Integer.toString(klConvexPeriod));
    m.put(KL_CONVEX_DECAY, Double.toString(klConvexDecay));
    m.put(KL_CONVEX_MIN, Double.toString(klConvexMin));
    m.put(MICRO_BATCH_TOKENS, Integer.toString(microBatchTokens));
    return m;
  }

  /** A copy with some keys replaced (string values, as in {@link #fromMap}). */
  public LearnerConfig with(Map<String, String> overrides) {
    Map<String, String> m = new LinkedHashMap<>(toMap());
    m.putAll(overrides);
    return fromMap(m);
  }

  /**
   * KL-Convex weight of KL(θ‖base) at learner step t (0-based):
   * λ(t) = max(1 − decay·⌈max(t − start, 0)/period⌉, min); always 1 for grpo.
   */
  public double klLambda(long step) {
    if (algorithm == Algorithm.GRPO) {
      return 1.0;
    }
    long over = Math.max(step - klConvexStart, 0);
    long periods = (over + klConvexPeriod - 1) / klConvexPeriod;
    return Math.max(1.0 - klConvexDecay * periods, klConvexMin);
  }

  /** Whether step t trains on-policy (grpo, or remix at/after the reincarnation step). */
  public boolean onPolicy(long step) {
    return algorithm == Algorithm.GRPO || (reincarnationStep > 0 && step >= reincarnationStep);
  }

  /** Replay fraction p in force at step t: 0 when {@link #onPolicy}. */
  public double replayFractionAt(long step) {
    return onPolicy(step) ? 0.0 : replayFraction;
  }

  /** Passes over the batch at step t: 1 when {@link #onPolicy}. */
  public int utdAt(long step) {
    return onPolicy(step) ? 1 : utd;
  }

  /** Whether step t is the reincarnation step (the job sets base ← current before training). */
  public boolean reincarnatesAt(long step) {
    return algorithm == Algorithm.REMIX && reincarnationStep > 0 && step == reincarnationStep;
  }

  private static double dbl(Map<String, String> m, String key) {
    String v = m.get(key);
    try {
      return Double.parseDouble(v.trim());
    } catch (NumberFormatException e) {
      throw PolicyErrors.badLearnerConfig(key, v, "it is not a number");
    }
  }

  private static int integer(Map<String, String> m, String key) {
    String v = m.get(key);
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw PolicyErrors.badLearnerConfig(key, v, "it is not an integer");
    }
  }

  private static void positive(String key, double v) {
    if (!(v > 0) || !Double.isFinite(v)) {
      throw PolicyErrors.badLearnerConfig(key, v, "it must be a finite number > 0");
    }
  }

  private static void nonNegative(String key, double v) {
    if (!(v >= 0) || !Double.isFinite(v)) {
      throw PolicyErrors.badLearnerConfig(key, v, "it must be a finite number >= 0");
    }
  }

  private static void unit(String key, double v, boolean closed) {
    boolean ok = closed ? v >= 0 && v <= 1 : v >= 0 && v < 1;
    if (!ok) {
      throw PolicyErrors.badLearnerConfig(key, v, closed ? "it must be in [0, 1]"
          : "it must be in [0, 1)");
    }
  }

  private static void atLeast(String key, int v, int min) {
    if (v < min) {
      throw PolicyErrors.badLearnerConfig(key, v, "it must be >= " + min);
    }
  }
}
