package com.replaylake.policy.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.replaylake.policy.PolicyErrors;
import com.replaylake.policy.PolicyException;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.model.DecoderModel;
import com.replaylake.policy.sampling.DistributionParams;
import com.replaylake.policy.scoring.ScoreRequest;
import com.replaylake.policy.scoring.ScoreTensors;
import com.replaylake.policy.scoring.TeacherForcedScorer;
import java.util.ArrayList;
import java.util.List;

/**
 * One supervised (SFT) update from demonstrations: token-mean negative log-likelihood of the
 * demonstration responses under the full (T = 1) distribution, optionally anchored to a
 * reference model (ALGORITHMS.md §6): {@code loss = NLL + β · mean_t k3(ref, θ)}, the k3
 * estimator of KL(π_θ‖π_ref) on the demonstration tokens (the same estimator the RL loss uses).
 * Plain NLL has no anchor and drifts from the reference; β > 0 keeps a KL-to-reference term.
 * Micro-batched like {@link LearnerStep} (bounded memory, result independent of the split up
 * to float summation order); {@link AdamW} makes one update per call.
 */
public final class SftStep {
  /** Metrics of one update. */
  public record Metrics(long step, double loss, double nll, double klRef, double tokenAccuracy,
      double gradNorm, double learningRate, boolean applied, int sequences, long tokens,
      double seconds) {}

  private final DecoderModel model;
  private final AdamW optimizer;
  private final LearnerConfig config;
  private final double anchorBeta;
  private final TeacherForcedScorer scorer;

  /**
   * @param anchorBeta β of the KL-to-reference anchor; 0 = plain NLL (no reference needed)
   */
  public SftStep(DecoderModel model, AdamW optimizer, LearnerConfig config, double anchorBeta) {
    if (!(anchorBeta >= 0) || !Double.isFinite(anchorBeta)) {
      throw PolicyErrors.badArgument("sft anchor beta", anchorBeta, "must be a finite number >= 0");
    }
    this.model = model;
    this.optimizer = optimizer;
    this.config = config;
    this.anchorBeta = anchorBeta;
    this.scorer = new TeacherForcedScorer(model,
        Math.max(1L, (long) config.microBatchTokens() * model.config().vocabSize()));
    model.setTrainable(true);
  }

  /** Reference log-probs of the demonstrations (no gradient), for the anchor. */
  public static List<float[]> referenceLogprobs(DecoderModel reference, List<ScoreRequest> batch) {
    return new TeacherForcedScorer(reference).score(batch, DistributionParams.FULL).stream()
        .map(s -> s.logprobs()).toList();
  }

  /**
   * One update on {@code batch} (prompt + demonstration response, the response ending with the
   * stop token). {@code reference} holds the reference log-probs per sequence when β > 0.
   */
  public Metrics update(List<ScoreRequest> batch, List<float[]> reference, long step) {
    long start = System.nanoTime();
    if (batch.isEmpty()) {
      throw PolicyErrors.badArgument("sft batch", "[]", "at least one demonstration is needed");
    }
    if (anchorBeta > 0 && (reference == null || reference.size() != batch.size())) {
      throw PolicyErrors.badArgument("reference log-probs", reference == null ? "null" : reference.size(),
          "the anchor (beta > 0) needs one array per demonstration");
    }
    long total = 0;
    List<TrainingSequence> shapes = new ArrayList<>(batch.size());
    for (ScoreRequest r : batch) {
      total += r.responseTokenIds().length;
      shapes.add(TrainingSequence.of(r.promptTokenIds(), r.responseTokenIds(),
          new float[r.responseTokenIds().length], 0f));
    }
    if (total == 0) {
      throw PolicyErrors.badArgument("sft batch", batch.size() + " empty responses",
          "demonstrations need at least one response token");
    }
    double loss = 0;
    double nll = 0;
    double kl = 0;
    double correct = 0;
    AdamW.Update u;
    model.zeroGradients();
    try {
      for (int[] idx : LearnerStep.microBatches(shapes, config.microBatchTokens())) {
        List<ScoreRequest> reqs = new ArrayList<>(idx.length);
        int n = 0;
        for (int i : idx) {
          reqs.add(batch.get(i));
          n += batch.get(i).responseTokenIds().length;
        }
        if (n == 0) {
          continue;
        }
        float[] ref = null;
        if (anchorBeta > 0) {
          ref = new float[n];
          int at = 0;
          for (int i : idx) {
            float[] lp = reference.get(i);
            System.arraycopy(lp, 0, ref, at, lp.length);
            at += lp.length;
          }
        }
        float[] m = backward(reqs, ref, total);
        loss += m[0];
        nll += m[1];
        kl += m[2];
        correct += m[3];
      }
      try (NDManager scope = PolicyRuntime.newManager(model.device())) {
        u = optimizer.update(model.gradients(scope));
      }
    } catch (PolicyException e) {
      throw e;
    } catch (RuntimeException e) {
      throw PolicyErrors.io("train (sft) on", batch.size() + " demonstrations at step " + step
          + " with the DJL engine", e);
    } finally {
      model.zeroGradients();
    }
    return new Metrics(step, loss, nll, kl, correct / total, u.gradNorm(), u.learningRate(),
        u.applied(), batch.size(), total, (System.nanoTime() - start) / 1e9);
  }

  /** Loss, NLL and KL sums (already divided by the batch's token count) and correct argmax tokens. */
  private float[] backward(List<ScoreRequest> reqs, float[] ref, long totalTokens) {
    float w = 1f / totalTokens;
    try (NDManager scope = PolicyRuntime.newManager(model.device());
        GradientCollector gc = PolicyRuntime.engine().newGradientCollector()) {
      ScoreTensors t = scorer.forward(scope, reqs, DistributionParams.FULL);
      NDArray p = t.logprobs();
      NDArray nll = p.neg().sum().mul(w);
      NDArray loss = nll;
      NDArray kl = null;
      if (ref != null) {
        kl = PolicyLoss.k3(scope.create(ref), p).sum().mul(w);
        loss = loss.add(kl.mul((float) anchorBeta));
      }
      gc.backward(loss);
      try (PolicyRuntime.GradMode g = PolicyRuntime.noGrad()) {
        // a token is "correct" when it had probability > 1/2: it is then the argmax
        NDArray correct = p.gt((float) Math.log(0.5)).toType(DataType.FLOAT32, false).sum();
        NDArray zero = scope.zeros(new Shape());
        float[] m = NDArrays.stack(new NDList(loss, nll, kl == null ? zero : kl, correct))
            .toType(DataType.FLOAT32, false).toFloatArray();
        return m;
      }
    }
  }

  /** The anchor coefficient. */
  public double anchorBeta() {
    return anchorBeta;
  }
}
