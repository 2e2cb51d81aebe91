package com.replaylake.policy.learn;

/**
 * What one learner update did (one row of {@code learner_metrics} before the job adds its own
 * columns: fresh/replayed fractions, staleness, versions).
 *
 * @param step learner step t the update was made at (selects λ(t))
 * @param loss total loss (normalized)
 * @param pgLoss policy-gradient term
 * @param klLoss KL term β·[λ·KL_base + (1 − λ)·KL_prev]
 * @param entropyLoss −entropy_coef·H term
 * @param klBase token mean of k3 to the base (0 when not computed)
 * @param klPrev token mean of k3 to the previous version (0 when not computed)
 * @param entropy token mean entropy of the scoring distribution
 * @param clipFractionLow fraction of tokens clipped at the lower bound (A &lt; 0)
 * @param clipFractionHigh fraction of tokens clipped at the upper bound (A &gt; 0)
 * @param ratioMean token mean of ρ = π_θ/π_b
 * @param ratioMax max ρ
 * @param klLambda λ(t) used
 * @param gradNorm global gradient L2 norm before clipping
 * @param learningRate learning rate of the update
 * @param applied false when the update was skipped (non-finite gradient or no tokens)
 * @param optimizerStep optimizer updates applied so far
 * @param sequences responses in the batch
 * @param tokens response tokens in the batch
 * @param microBatches forward/backward passes
 * @param meanResponseLength tokens / sequences
 * @param seconds wall time of the update
 */
public record LearnerMetrics(
    long step,
    double loss,
    double pgLoss,
    double klLoss,
    double entropyLoss,
    double klBase,
    double klPrev,
    double entropy,
    double clipFractionLow,
    double clipFractionHigh,
    double ratioMean,
    double ratioMax,
    double klLambda,
    double gradNorm,
    double learningRate,
    boolean applied,
    long optimizerStep,
    int sequences,
    long tokens,
    int microBatches,
    double meanResponseLength,
    double seconds) {}
