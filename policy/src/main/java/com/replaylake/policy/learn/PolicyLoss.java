package com.replaylake.policy.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.replaylake.policy.PolicyErrors;
import com.replaylake.policy.PolicyRuntime;

/**
 * The learner's per-token loss (ALGORITHMS.md §3-4) over packed response tokens.
 *
 * <p>For a token with advantage A, behavior log-prob q_b (the policy that sampled it), log-prob
 * p_k under π_k (the policy at the start of this update, no gradient) and current log-prob p
 * (differentiable):
 *
 * <pre>
 *   ρ = exp(p − q_b)        c = exp(p_k − q_b)
 *   pg = −min(ρ·A, clip(ρ, max(0, c − ε_low), c + ε_high)·A)          (Mix-PPG)
 *   kl = β·[λ·k3(q_base, p) + (1 − λ)·k3(q_prev, p)],  k3(q, p) = exp(q − p) − (q − p) − 1
 *                                                       (q − p clamped to ±20)
 *   ℓ  = pg + kl − entropy_coef · H
 *   loss = Σ_tokens w · ℓ         (w from {@link LossNormalization})
 * </pre>
 *
 * With fresh data (q_b = p_k) c = 1 and this is DAPO's PPO-clip with clip-higher
 * clip(ρ, 1 − ε_low, 1 + ε_high). The KL term is skipped when β = 0, and each of its two parts
 * when its weight (λ or 1 − λ) is 0, so the corresponding log-probs may then be null.
 */
public final class PolicyLoss {
  private static final String KL_NEEDS =
      "the KL term needs them with this beta and lambda (compute them without gradient)";

  /** Bound on |q − p| inside {@link #k3}. */
  public static final float K3_CLAMP = 20f;

  private PolicyLoss() {}

  /**
   * Coefficients of one loss evaluation.
   *
   * @param clipEpsLow ε_low: the lower clip bound is max(0, c − ε_low)
   * @param clipEpsHigh ε_high: the upper clip bound is c + ε_high
   * @param klBeta β; 0 skips the KL term
   * @param klLambda λ(t), the weight of KL(θ‖base); 1 − λ goes to KL(θ‖prev)
   * @param entropyCoef entropy bonus coefficient (0 = metric only)
   */
  public record Settings(
      double clipEpsLow, double clipEpsHigh, double klBeta, double klLambda, double entropyCoef) {
    public Settings {
      if (!(clipEpsLow >= 0) || !(clipEpsHigh >= 0) || !(klBeta >= 0) || !(entropyCoef >= 0)
          || !(klLambda >= 0 && klLambda <= 1)) {
        throw PolicyErrors.badArgument("loss settings", "eps_low=" + clipEpsLow + " eps_high="
            + clipEpsHigh + " beta=" + klBeta + " lambda=" + klLambda + " entropy="
            + entropyCoef, "coefficients must be >= 0 and lambda in [0, 1]");
      }
    }

    /** The settings of {@code config} at learner step {@code step} (λ from its schedule). */
    public static Settings of(LearnerConfig config, long step) {
      return new Settings(config.clipEpsLow(), config.clipEpsHigh(), config.klBeta(),
          config.klLambda(step), config.entropyCoef());
    }
  }

  /**
   * Per-token float32 [N] arrays on one device.
   *
   * @param logprobs current log-probs p (carry the autograd graph)
   * @param behaviorLogprobs q_b
   * @param proximalLogprobs p_k; pass {@code behaviorLogprobs} for fresh data
   * @param advantages A per token (a response's advantage broadcast over its tokens)
   * @param weights normalization weights ({@link LossNormalization#weights})
   * @param entropies entropy per token (may carry the graph; used for the bonus and the metric;
   *     null only when the entropy coefficient is 0)
   * @param baseLogprobs log-probs under π_base (reference); null when unused
   * @param prevLogprobs log-probs under π_{k−1}; null when unused
   */
  public record Inputs(
      NDArray logprobs,
      NDArray behaviorLogprobs,
      NDArray proximalLogprobs,
      NDArray advantages,
      NDArray weights,
      NDArray entropies,
      NDArray baseLogprobs,
      NDArray prevLogprobs) {}

  /** The scalar loss (with its graph) and the metrics of this evaluation. */
  public record Result(NDArray loss, LossMetrics metrics) {}

  /** Evaluates the loss; every array it makes is attached to the manager of {@code logprobs}. */
  public static Result compute(Inputs in, Settings s) {
    NDArray p = in.logprobs();
    int n = (int) p.size();
    if (n == 0) {
      return new Result(p.getManager().zeros(new Shape()), LossMetrics.EMPTY);
    }
    NDArray a = in.advantages();
    NDArray w = in.weights();
    NDArray rho = p.sub(in.behaviorLogprobs()).exp();
    NDArray c = in.proximalLogprobs().sub(in.behaviorLogprobs()).exp();
    NDArray lo = c.sub((float) s.clipEpsLow()).maximum(0f);
    NDArray hi = c.add((float) s.clipEpsHigh());
    NDArray clipped = rho.maximum(lo).minimum(hi);
    NDArray pg = rho.mul(a).minimum(clipped.mul(a)).neg();
    NDArray perToken = pg;

    boolean useBase = s.klBeta() > 0 && s.klLambda() > 0;
    boolean usePrev = s.klBeta() > 0 && s.klLambda() < 1;
    NDArray klBase = null;
    NDArray klPrev = null;
    NDArray kl = null;
    if (useBase) {
      klBase = k3(require(in.baseLogprobs(), "base (reference) log-probs", KL_NEEDS), p);
      kl = klBase.mul((float) (s.klBeta() * s.klLambda()));
    }
    if (usePrev) {
      klPrev = k3(require(in.prevLogprobs(), "previous-version log-probs", KL_NEEDS), p);
      NDArray t = klPrev.mul((float) (s.klBeta() * (1 - s.klLambda())));
      kl = kl == null ? t : kl.add(t);
    }
    if (kl != null) {
      perToken = perToken.add(kl);
    }
    NDArray ent = in.entropies();
    NDArray entTerm = null;
    if (s.entropyCoef() > 0) {
      entTerm = require(ent, "entropies", "the entropy bonus needs them")
          .mul((float) -s.entropyCoef());
      perToken = perToken.add(entTerm);
    }
    NDArray loss = perToken.mul(w).sum();

    float[] m;
    try (PolicyRuntime.GradMode g = PolicyRuntime.noGrad()) {
      NDArray zero = p.getManager().zeros(new Shape());
      NDArray clipLow = a.lt(0f).logicalAnd(rho.lt(lo)).toType(DataType.FLOAT32, false).sum();
      NDArray clipHigh = a.gt(0f).logicalAnd(rho.gt(hi)).toType(DataType.FLOAT32, false).sum();
      NDList parts = new NDList(
          loss,
          pg.mul(w).sum(),
          kl == null ? zero : kl.mul(w).sum(),
          entTerm == null ? zero : entTerm.mul(w).sum(),
          klBase == null ? zero : klBase.sum(),
          klPrev == null ? zero : klPrev.sum(),
          ent == null ? zero : ent.sum(),
          clipLow,
          clipHigh,
          rho.sum(),
          rho.max());
      m = NDArrays.stack(parts).toType(DataType.FLOAT32, false).toFloatArray();
    }
    return new Result(loss, new LossMetrics(m[0], m[1], m[2], m[3], m[4], m[5], m[6],
        (long) m[7], (long) m[8], m[9], m[10], n));
  }

  /**
   * The k3 estimator of KL(θ‖ref) per token: exp(d) − d − 1 with d = q − p, ≥ 0 and 0 iff q = p.
   * d is clamped to [−{@value #K3_CLAMP}, {@value #K3_CLAMP}] (as verl does) so that one token
   * the current policy has all but ruled out cannot overflow the loss to ∞.
   */
  public static NDArray k3(NDArray refLogprobs, NDArray logprobs) {
    NDArray d = refLogprobs.sub(logprobs).clip(-K3_CLAMP, K3_CLAMP);
    return d.exp().sub(d).sub(1f);
  }

  private static NDArray require(NDArray a, String what, String why) {
    if (a == null) {
      throw PolicyErrors.badArgument(what, "null", why);
    }
    return a;
  }
}
