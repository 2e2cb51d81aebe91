package com.replaylake.policy.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * The one definition of the distribution that tokens are sampled from, shared by the {@link
 * Sampler} (behavior log-probs) and teacher-forced scoring, so that importance ratios compare
 * like with like. For float32 logits z over a vocabulary V (all operations in float32):
 *
 * <ol>
 *   <li>Greedy (temperature 0): log π(v) = 0 for v = argmax z (first on ties), −∞ elsewhere.
 *   <li>Temperature: u = z / T.
 *   <li>Top-k (k ≥ 1, k &lt; |V|): tokens with u below the k-th largest u get u = −∞ (ties with
 *       the k-th value are all kept).
 *   <li>q = softmax(u).
 *   <li>Top-p (p &lt; 1): sort q descending; keep a token when the mass of the tokens sorted
 *       strictly before it is &lt; p (so the most likely token is always kept); every token whose
 *       probability equals the smallest kept probability is kept too. Others get u = −∞.
 *   <li>log π = log_softmax(u): the log-probability after truncation and renormalization.
 * </ol>
 *
 * <p>(DJL's {@code where} needs the condition and the first value of the same shape: the
 * broadcast constant always goes second.)
 */
public final class TokenDistribution {
  private TokenDistribution() {}

  /** Log-probabilities [N, V] (−∞ outside the support) of float32 logits [N, V]. */
  public static NDArray logProbs(NDArray logits, DistributionParams params) {
    NDManager m = logits.getManager();
    long vocab = logits.getShape().get(logits.getShape().dimension() - 1);
    NDArray negInf = m.create(Float.NEGATIVE_INFINITY);
    if (params.greedy()) {
      NDArray best = logits.argMax(-1).expandDims(-1);
      NDArray isBest = m.arange(0, vocab, 1, DataType.INT64).eq(best);
      return NDArrays.where(isBest, logits.zerosLike(), negInf);
    }
    NDArray u = params.temperature() == 1.0 ? logits : logits.div((float) params.temperature());
    if (params.topK() > 0 && params.topK() < vocab) {
      NDArray kth = u.topK(params.topK(), -1, true, true).get(0).get("..., -1:");
      u = NDArrays.where(u.gte(kth), u, negInf);
    }
    NDArray logp = u.logSoftmax(-1);
    if (params.topP() < 1.0) {
      NDArray q = logp.exp();
      NDArray sorted = q.neg().sort(-1).neg();
      NDArray before = sorted.cumSum(-1).sub(sorted);
      NDArray kept = before.lt((float) params.topP());
      NDArray threshold = NDArrays.where(kept, sorted, m.create(Float.POSITIVE_INFINITY))
          .min(new int[] {-1}, true);
      u = NDArrays.where(q.gte(threshold), u, negInf);
      logp = u.logSoftmax(-1);
    }
    return logp;
  }

  /** Entropy [N] of log-probabilities [N, V] that may hold −∞ (0·log 0 counts as 0). */
  public static NDArray entropy(NDArray logProbs) {
    NDArray terms = logProbs.exp().mul(logProbs);
    NDArray safe = NDArrays.where(
        logProbs.isInfinite().logicalNot(), terms, logProbs.getManager().create(0f));
    return safe.sum(new int[] {-1}).neg();
  }
}
