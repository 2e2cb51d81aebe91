package com.replaylake.policy.scoring;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.replaylake.policy.PolicyErrors;
import com.replaylake.policy.PolicyException;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.model.DecoderModel;
import com.replaylake.policy.model.TokenBatch;
import com.replaylake.policy.sampling.DistributionParams;
import com.replaylake.policy.sampling.TokenDistribution;
import java.util.ArrayList;
import java.util.List;

/**
 * Teacher-forced scoring: per-token log-probs and entropies of given responses after their
 * prompts, in one right-padded batch with an attention mask. With the sampling call's {@link
 * DistributionParams}, the log-probs are the same quantity as the sampler's behavior log-probs
 * (see {@link TokenDistribution}); with {@link DistributionParams#FULL} they are the model's own
 * log-likelihoods (what the learner, the reference model and evaluation use).
 *
 * <p>Only response positions go through the LM head and the distribution, so the cost of a long
 * prompt is the decoder stack alone. Inference scoring is split into micro-batches bounded in
 * logits size; the differentiable {@link #forward} scores what it is given in one pass (the
 * learner picks its micro-batches: logits, log-softmax and entropy terms of N response tokens
 * take about 3 · N · vocab floats of device memory kept for the backward pass).
 */
public final class TeacherForcedScorer {
  private static final int PAD_ID = 0;
  /** Default bound on padded tokens × vocabulary per inference micro-batch (256 MB of logits). */
  public static final long DEFAULT_MAX_CELLS = 1L << 26;

  private final DecoderModel decoder;
  private final long maxCells;

  public TeacherForcedScorer(DecoderModel decoder) {
    this(decoder, DEFAULT_MAX_CELLS);
  }

  /**
   * @param maxCells inference scoring splits its requests into micro-batches whose padded
   *     length × rows × vocabulary stays under this (a single request may exceed it), bounding
   *     device memory for real vocabularies; results do not depend on it
   */
  public TeacherForcedScorer(DecoderModel decoder, long maxCells) {
    if (maxCells <= 0) {
      throw PolicyErrors.badArgument("maxCells", maxCells, "it must be > 0");
    }
    this.decoder = decoder;
    this.maxCells = maxCells;
  }

  /** Inference scoring (no autograd graph), results copied to the heap, in request order. */
  public List<TokenScores> score(List<ScoreRequest> requests, DistributionParams dist) {
    List<TokenScores> out = new ArrayList<>(requests.size());
    long vocab = decoder.config().vocabSize();
    int start = 0;
    while (start < requests.size()) {
      int end = start;
      long maxLen = 0;
      while (end < requests.size()) {
        ScoreRequest r = requests.get(end);
        long len = Math.max(maxLen,
            (long) r.promptTokenIds().length + r.responseTokenIds().length);
        if (end > start && len * (end - start + 1) * vocab > maxCells) {
          break;
        }
        maxLen = len;
        end++;
      }
      out.addAll(scoreBatch(requests.subList(start, end), dist));
      start = end;
    }
    return out;
  }

  @SuppressWarnings("try")
  private List<TokenScores> scoreBatch(List<ScoreRequest> requests, DistributionParams dist) {
    try (PolicyRuntime.GradMode noGrad = PolicyRuntime.noGrad();
        NDManager scope = PolicyRuntime.newManager(decoder.device())) {
      ScoreTensors t = forward(scope, requests, dist);
      float[] lp = t.tokens() == 0 ? new float[0] : t.logprobs().toFloatArray();
      float[] ent = t.tokens() == 0 ? new float[0] : t.entropies().toFloatArray();
      List<TokenScores> out = new ArrayList<>();
      int at = 0;
      for (int len : t.responseLengths()) {
        float[] a = new float[len];
        float[] e = new float[len];
        System.arraycopy(lp, at, a, 0, len);
        System.arraycopy(ent, at, e, 0, len);
        out.add(new TokenScores(a, e));
        at += len;
      }
      return out;
    } catch (PolicyException e) {
      throw e;
    } catch (RuntimeException e) {
      throw PolicyErrors.io("score", requests.size() + " sequences with the DJL engine", e);
    }
  }

  /**
   * Differentiable scoring for the learner: every array is attached to {@code scope}, and the
   * log-probs keep the autograd graph back to the parameters when they require gradients.
   */
  public ScoreTensors forward(
      NDManager scope, List<ScoreRequest> requests, DistributionParams dist) {
    int vocab = decoder.config().vocabSize();
    List<int[]> seqs = new ArrayList<>();
    int[] respLens = new int[requests.size()];
    int total = 0;
    for (int i = 0; i < requests.size(); i++) {
      ScoreRequest r = requests.get(i);
      int[] s = new int[r.promptTokenIds().length + r.responseTokenIds().length];
      System.arraycopy(r.promptTokenIds(), 0, s, 0, r.promptTokenIds().length);
      System.arraycopy(r.responseTokenIds(), 0, s, r.promptTokenIds().length,
          r.responseTokenIds().length);
      for (int tok : s) {
        if (tok < 0 || tok >= vocab) {
          throw PolicyErrors.badArgument(
              "token id in scoring request " + i, tok, "it must be in [0, " + vocab + ")");
        }
      }
      seqs.add(s);
      respLens[i] = r.responseTokenIds().length;
      total += respLens[i];
    }
    if (seqs.isEmpty()) {
      throw PolicyErrors.badArgument("scoring requests", "[]", "at least one is needed");
    }
    TokenBatch batch = TokenBatch.rightPadded(seqs, PAD_ID);
    int len = batch.length();
    long[] rows = new long[total];
    long[] targets = new long[total];
    long[] rowIndex = new long[total];
    int k = 0;
    for (int i = 0; i < requests.size(); i++) {
      int promptLen = requests.get(i).promptTokenIds().length;
      int[] resp = requests.get(i).responseTokenIds();
      for (int j = 0; j < resp.length; j++) {
        rows[k] = (long) i * len + promptLen + j - 1;
        targets[k] = resp[j];
        rowIndex[k] = i;
        k++;
      }
    }
    NDArray rowIdx = scope.create(rowIndex);
    if (total == 0) {
      NDArray empty = scope.zeros(new Shape(0));
      return new ScoreTensors(empty, scope.zeros(new Shape(0)), rowIdx, respLens);
    }
    NDArray hidden = decoder.hiddenStates(
        batch.idsArray(scope), batch.positionsArray(scope), batch.maskArray(scope), null);
    long hiddenSize = hidden.getShape().get(2);
    NDArray picked = hidden.reshape(-1, hiddenSize).get(scope.create(rows));
    NDArray logp = TokenDistribution.logProbs(decoder.logits(picked), dist);
    NDArray tokenLogp = logp.gather(scope.create(targets, new Shape(total, 1)), -1).reshape(-1);
    NDArray entropy = TokenDistribution.entropy(logp);
    return new ScoreTensors(tokenLogp, entropy, rowIdx, respLens);
  }
}
