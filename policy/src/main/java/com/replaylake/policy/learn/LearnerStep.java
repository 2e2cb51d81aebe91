package com.replaylake.policy.learn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.replaylake.policy.PolicyErrors;
import com.replaylake.policy.PolicyException;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.learn.LossNormalization.BatchShape;
import com.replaylake.policy.model.DecoderModel;
import com.replaylake.policy.sampling.DistributionParams;
import com.replaylake.policy.scoring.ScoreRequest;
import com.replaylake.policy.scoring.ScoreTensors;
import com.replaylake.policy.scoring.TeacherForcedScorer;
import com.replaylake.policy.scoring.TokenScores;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * One optimizer update of the policy from a batch of {@link TrainingSequence}s: the batch is
 * split into micro-batches of at most {@code micro_batch_tokens} padded tokens (rows × longest
 * prompt+response; a longer sequence goes alone), each is scored differentiably and
 * back-propagated with its share of the batch-normalized {@link PolicyLoss}, gradients
 * accumulate, then {@link AdamW} makes one update. Memory is bounded by the micro-batch size, not
 * by the batch size; the result does not depend on it (up to float summation order).
 *
 * <p>ReMix's UTD ratio m is m calls of {@link #update} on the same batch, with the π_k log-probs
 * computed once before the first ({@link #withProximalLogprobs}). The model is set trainable;
 * sampling or scoring with it must not overlap an update. One learner per JVM (DJL allows one
 * open gradient collector at a time).
 */
public final class LearnerStep {
  private final DecoderModel model;
  private final AdamW optimizer;
  private final LearnerConfig config;
  private final DistributionParams scoring;
  private final TeacherForcedScorer scorer;

  /**
   * @param scoring the distribution the current and π_k log-probs are computed under: the one
   *     the behavior log-probs were sampled from (the rollout's temperature/top-k/top-p), so that
   *     ρ = 1 on fresh data; {@link DistributionParams#FULL} for plain T = 1 sampling
   */
  public LearnerStep(
      DecoderModel model, AdamW optimizer, LearnerConfig config, DistributionParams scoring) {
    if (scoring.greedy()) {
      throw PolicyErrors.badArgument("learner scoring distribution", scoring,
          "greedy (temperature 0) log-probs carry no gradient; use the sampling temperature");
    }
    this.model = model;
    this.optimizer = optimizer;
    this.config = config;
    this.scoring = scoring;
    this.scorer = new TeacherForcedScorer(model,
        Math.max(1L, (long) config.microBatchTokens() * model.config().vocabSize()));
    model.setTrainable(true);
  }

  /**
   * The batch made ready for {@link #update} at learner step t, before its UTD passes: π_k
   * log-probs from the current model unless t trains on-policy ({@link LearnerConfig#onPolicy};
   * there c = 1 from the behavior log-probs); log-probs under {@code base} when β > 0 and
   * λ(t) > 0 and under {@code prev} when β > 0 and λ(t) < 1, all without gradient and under this
   * learner's scoring distribution. A model that is not needed may be null.
   */
  public List<TrainingSequence> prepare(
      List<TrainingSequence> batch, long step, DecoderModel base, DecoderModel prev) {
    PolicyLoss.Settings s = PolicyLoss.Settings.of(config, step);
    boolean needBase = s.klBeta() > 0 && s.klLambda() > 0;
    boolean needPrev = s.klBeta() > 0 && s.klLambda() < 1;
    if (needBase && base == null) {
      throw PolicyErrors.badArgument("base model", "null", "kl_beta = " + s.klBeta()
          + " with lambda(" + step + ") = " + s.klLambda() + " needs it (kl_beta = 0 skips it)");
    }
    if (needPrev && prev == null) {
      throw PolicyErrors.badArgument("previous-version model", "null", "kl_beta = "
          + s.klBeta() + " with lambda(" + step + ") = " + s.klLambda() + " needs it");
    }
    List<TrainingSequence> out = config.onPolicy(step) ? batch : withProximalLogprobs(batch);
    List<float[]> baseLp = needBase ? logprobs(base, batch, scoring) : null;
    List<float[]> prevLp = needPrev ? logprobs(prev, batch, scoring) : null;
    if (baseLp == null && prevLp == null) {
      return out;
    }
    List<TrainingSequence> ready = new ArrayList<>(out.size());
    for (int i = 0; i < out.size(); i++) {
      TrainingSequence t = out.get(i);
      if (baseLp != null) {
        t = t.withBaseLogprobs(baseLp.get(i));
      }
      if (prevLp != null) {
        t = t.withPrevLogprobs(prevLp.get(i));
      }
      ready.add(t);
    }
    return ready;
  }

  /** The batch with p_k = the current model's log-probs (no gradient), for Mix-PPG and UTD. */
  public List<TrainingSequence> withProximalLogprobs(List<TrainingSequence> batch) {
    List<float[]> lp = logprobs(scorer, batch, scoring);
    List<TrainingSequence> out = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      out.add(batch.get(i).withProximalLogprobs(lp.get(i)));
    }
    return out;
  }

  /**
   * Per-token log-probs of the batch's responses under {@code model} without gradient (π_k, the
   * reference/base or the previous version), in batch order.
   */
  public static List<float[]> logprobs(
      DecoderModel model, List<TrainingSequence> batch, DistributionParams dist) {
    return logprobs(new TeacherForcedScorer(model), batch, dist);
  }

  private static List<float[]> logprobs(
      TeacherForcedScorer scorer, List<TrainingSequence> batch, DistributionParams dist) {
    List<ScoreRequest> reqs = batch.stream()
        .map(s -> new ScoreRequest(s.promptTokenIds(), s.responseTokenIds())).toList();
    return scorer.score(reqs, dist).stream().map(TokenScores::logprobs).toList();
  }

  /** Micro-batches (lists of batch indices) of at most {@code maxTokens} padded tokens each. */
  public static List<int[]> microBatches(List<TrainingSequence> batch, int maxTokens) {
    Integer[] order = IntStream.range(0, batch.size()).boxed().toArray(Integer[]::new);
    // longest first: similar lengths share a micro-batch, so little padding
    Arrays.sort(order,
        Comparator.comparingInt((Integer i) -> batch.get(i).length()).reversed());
    List<int[]> out = new ArrayList<>();
    List<Integer> cur = new ArrayList<>();
    int curMax = 0;
    for (int i : order) {
      int len = batch.get(i).length();
      int max = Math.max(curMax, len);
      if (!cur.isEmpty() && (long) max * (cur.size() + 1) > maxTokens) {
        out.add(cur.stream().mapToInt(Integer::intValue).toArray());
        cur.clear();
        max = len;
      }
      cur.add(i);
      curMax = max;
    }
    if (!cur.isEmpty()) {
      out.add(cur.stream().mapToInt(Integer::intValue).toArray());
    }
    return out;
  }

  /** One optimizer update at learner step {@code step} (which selects λ(t)). */
  public LearnerMetrics update(List<TrainingSequence> batch, long step) {
    long start = System.nanoTime();
    if (batch.isEmpty()) {
      throw PolicyErrors.badArgument("training batch", "[]", "at least one sequence is needed");
    }
    int[] lens = batch.stream().mapToInt(s -> s.responseTokenIds().length).toArray();
    BatchShape shape = BatchShape.of(lens, config.lossNormLength());
    PolicyLoss.Settings settings = PolicyLoss.Settings.of(config, step);
    boolean needBase = settings.klBeta() > 0 && settings.klLambda() > 0;
    boolean needPrev = settings.klBeta() > 0 && settings.klLambda() < 1;
    for (int i = 0; i < batch.size(); i++) {
      TrainingSequence s = batch.get(i);
      if (needBase && s.baseLogprobs() == null) {
        throw PolicyErrors.badArgument("base log-probs of sequence " + i, "null",
            "kl_beta > 0 with lambda > 0 needs them (LearnerStep.logprobs of the base model)");
      }
      if (needPrev && s.prevLogprobs() == null) {
        throw PolicyErrors.badArgument("previous-version log-probs of sequence " + i, "null",
            "kl_beta > 0 with lambda < 1 needs them (LearnerStep.logprobs of version k-1)");
      }
    }
    List<int[]> micro = microBatches(batch, config.microBatchTokens());
    LossMetrics total = LossMetrics.EMPTY;
    int passes = 0;
    AdamW.Update u;
    model.zeroGradients();
    try {
      for (int[] idx : micro) {
        int tokens = 0;
        for (int i : idx) {
          tokens += lens[i];
        }
        if (tokens == 0) {
          continue;
        }
        total = total.plus(backward(batch, idx, shape, settings, needBase, needPrev));
        passes++;
      }
      if (passes == 0) {
        u = new AdamW.Update(false, 0, optimizer.learningRate(optimizer.step() + 1),
            optimizer.step());
      } else {
        try (NDManager scope = PolicyRuntime.newManager(model.device())) {
          Map<String, NDArray> grads = model.gradients(scope);
          u = optimizer.update(grads);
        }
      }
    } catch (PolicyException e) {
      throw e;
    } catch (RuntimeException e) {
      throw PolicyErrors.io("train on", batch.size() + " sequences at learner step " + step
          + " with the DJL engine", e);
    } finally {
      model.zeroGradients();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new LearnerMetrics(step, total.loss(), total.pgLoss(), total.klLoss(),
        total.entropyLoss(), total.klBaseMean(), total.klPrevMean(), total.entropyMean(),
        total.clipFractionLow(), total.clipFractionHigh(), total.ratioMean(),
        total.tokens() == 0 ? 0 : total.ratioMax(), settings.klLambda(), u.gradNorm(),
        u.learningRate(), u.applied(), u.step(), batch.size(), shape.tokens(), passes,
        (double) shape.tokens() / batch.size(), seconds);
  }

  private LossMetrics backward(List<TrainingSequence> batch, int[] idx, BatchShape shape,
      PolicyLoss.Settings settings, boolean needBase, boolean needPrev) {
    List<ScoreRequest> reqs = new ArrayList<>(idx.length);
    int[] lens = new int[idx.length];
    int n = 0;
    for (int j = 0; j < idx.length; j++) {
      TrainingSequence s = batch.get(idx[j]);
      reqs.add(new ScoreRequest(s.promptTokenIds(), s.responseTokenIds()));
      lens[j] = s.responseTokenIds().length;
      n += lens[j];
    }
    float[] qb = new float[n];
    float[] pk = new float[n];
    float[] adv = new float[n];
    float[] base = needBase ? new float[n] : null;
    float[] prev = needPrev ? new float[n] : null;
    int at = 0;
    for (int j = 0; j < idx.length; j++) {
      TrainingSequence s = batch.get(idx[j]);
      int len = lens[j];
      System.arraycopy(s.behaviorLogprobs(), 0, qb, at, len);
      System.arraycopy(s.proximalLogprobs() != null ? s.proximalLogprobs()
          : s.behaviorLogprobs(), 0, pk, at, len);
      Arrays.fill(adv, at, at + len, s.advantage());
      if (base != null) {
        System.arraycopy(s.baseLogprobs(), 0, base, at, len);
      }
      if (prev != null) {
        System.arraycopy(s.prevLogprobs(), 0, prev, at, len);
      }
      at += len;
    }
    float[] w = config.lossNorm().weights(lens, shape);
    try (NDManager scope = PolicyRuntime.newManager(model.device());
        GradientCollector gc = PolicyRuntime.engine().newGradientCollector()) {
      ScoreTensors t = scorer.forward(scope, reqs, scoring);
      PolicyLoss.Inputs in = new PolicyLoss.Inputs(t.logprobs(), scope.create(qb),
          scope.create(pk), scope.create(adv), scope.create(w), t.entropies(),
          base == null ? null : scope.create(base), prev == null ? null : scope.create(prev));
      PolicyLoss.Result r = PolicyLoss.compute(in, settings);
      gc.backward(r.loss());
      return r.metrics();
    }
  }
}
