package com.replaylake.policy.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.replaylake.policy.PolicyErrors;
import com.replaylake.policy.PolicyException;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.model.DecoderModel;
import com.replaylake.policy.model.KvCache;
import com.replaylake.policy.model.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Batched autoregressive sampling with a KV cache. Prompts of different lengths are left-padded
 * (masked keys, HF position ids), prefilled in one pass, then decoded one token per step for the
 * whole batch until every row has stopped or reached max_new_tokens.
 *
 * <p>Randomness: row i draws one uniform number per step from its own {@code
 * SplittableRandom(seeds[i])} and picks the token by inverse CDF on the distribution of {@link
 * TokenDistribution}. A row's tokens therefore depend only on its seed, prompt and the model, not
 * on the other rows (up to float rounding differences between batch shapes).
 *
 * <p>Every native array of a call lives in a manager opened for that call (one sub-manager per
 * decoding step), and gradient recording is off throughout: nothing leaks, whatever the number of
 * calls. A sampler holds no state besides the model, and the model is only read: concurrent calls
 * (several Spark tasks sharing one model per executor JVM) give the same results as sequential
 * ones. Mind PyTorch's intra-op threads when doing so (threads × tasks ≤ cores).
 */
public final class Sampler {
  /** Token id placed in padded slots (any valid id: padded keys are masked). */
  static final int PAD_ID = 0;

  private final PolicyModel policy;
  private final DecoderModel decoder;

  public Sampler(PolicyModel policy) {
    this.policy = policy;
    this.decoder = policy.decoder();
  }

  /** Sampling options with the policy's stop tokens. */
  public SamplingParams params(DistributionParams distribution, int maxNewTokens) {
    return new SamplingParams(distribution, maxNewTokens, policy.stopTokenIds());
  }

  /** Encodes prompt texts with the policy's tokenizer and samples. */
  public List<SampleResult> sampleTexts(List<String> prompts, SamplingParams params, long[] seeds) {
    List<int[]> ids = new ArrayList<>();
    for (String p : prompts) {
      ids.add(policy.tokenizer().encode(p));
    }
    return sample(ids, params, seeds);
  }

  /** Samples one response per prompt; {@code seeds[i]} seeds row i. */
  @SuppressWarnings("try")
  public List<SampleResult> sample(List<int[]> prompts, SamplingParams params, long[] seeds) {
    int b = prompts.size();
    if (seeds.length != b) {
      throw PolicyErrors.badArgument(
          "seeds", seeds.length + " seeds", "one per prompt is needed (" + b + " prompts)");
    }
    int vocab = decoder.config().vocabSize();
    for (int i = 0; i < b; i++) {
      for (int t : prompts.get(i)) {
        if (t < 0 || t >= vocab) {
          throw PolicyErrors.badArgument(
              "token id in prompt " + i, t, "it must be in [0, " + vocab + ")");
        }
      }
    }
    TokenBatch prompt = TokenBatch.leftPadded(prompts, PAD_ID);
    int p = prompt.length();
    int maxNew = params.maxNewTokens();
    int capacity = p + maxNew;
    if (capacity > decoder.config().maxPositionEmbeddings()) {
      throw PolicyErrors.badArgument("longest prompt + max_new_tokens", capacity,
          "it exceeds max_position_embeddings = " + decoder.config().maxPositionEmbeddings());
    }
    Set<Integer> stops = new HashSet<>(params.stopTokenIds());
    SplittableRandom[] rngs = new SplittableRandom[b];
    for (int i = 0; i < b; i++) {
      rngs[i] = new SplittableRandom(seeds[i]);
    }
    int[][] tokens = new int[b][maxNew];
    float[][] logps = new float[b][maxNew];
    int[] produced = new int[b];
    boolean[] done = new boolean[b];
    boolean[] stopped = new boolean[b];
    boolean[] keyMask = new boolean[b * capacity];
    for (int i = 0; i < b; i++) {
      System.arraycopy(prompt.mask(), i * p, keyMask, i * capacity, p);
    }

    try (PolicyRuntime.GradMode noGrad = PolicyRuntime.noGrad();
        NDManager scope = PolicyRuntime.newManager(decoder.device());
        KvCache cache = decoder.newCache(scope, b, capacity)) {
      long[] next;
      float[] nextLogp;
      try (NDManager step = scope.newSubManager()) {
        NDArray logits = decoder.forward(
            prompt.idsArray(step), prompt.positionsArray(step),
            maskColumns(step, keyMask, b, capacity, p), cache);
        Pick pick = pick(logits.get(":, -1, :"), params.distribution(), uniforms(rngs, done));
        next = pick.tokens;
        nextLogp = pick.logprobs;
      }
      for (int s = 0; ; s++) {
        int alive = 0;
        for (int i = 0; i < b; i++) {
          if (done[i]) {
            continue;
          }
          int tok = (int) next[i];
          tokens[i][produced[i]] = tok;
          logps[i][produced[i]] = nextLogp[i];
          produced[i]++;
          if (stops.contains(tok)) {
            done[i] = true;
            stopped[i] = true;
          } else if (produced[i] == maxNew) {
            done[i] = true;
          } else {
            alive++;
          }
        }
        if (alive == 0) {
          break;
        }
        long[] ids = new long[b];
        long[] pos = new long[b];
        for (int i = 0; i < b; i++) {
          ids[i] = done[i] ? prompt.ids()[i * p] : next[i];
          pos[i] = prompt.lengths()[i] + s;
          keyMask[i * capacity + p + s] = !done[i];
        }
        try (NDManager step = scope.newSubManager()) {
          NDArray logits = decoder.forward(
              step.create(ids, new Shape(b, 1)), step.create(pos, new Shape(b, 1)),
              maskColumns(step, keyMask, b, capacity, p + s + 1), cache);
          Pick pick = pick(logits.reshape(b, vocab), params.distribution(), uniforms(rngs, done));
          next = pick.tokens;
          nextLogp = pick.logprobs;
        }
      }
    } catch (PolicyException e) {
      throw e;
    } catch (RuntimeException e) {
      throw PolicyErrors.io("sample", b + " sequences with the DJL engine", e);
    }

    List<SampleResult> out = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      int[] t = Arrays.copyOf(tokens[i], produced[i]);
      float[] lp = Arrays.copyOf(logps[i], produced[i]);
      String text = policy.tokenizer().decode(t, true);
      out.add(new SampleResult(seeds[i], prompts.get(i).clone(), t, text,
          stopped[i] ? FinishReason.STOP : FinishReason.LENGTH, lp));
    }
    return out;
  }

  private static double[] uniforms(SplittableRandom[] rngs, boolean[] done) {
    double[] u = new double[rngs.length];
    for (int i = 0; i < rngs.length; i++) {
      u[i] = done[i] ? 0.0 : rngs[i].nextDouble();
    }
    return u;
  }

  private static NDArray maskColumns(
      NDManager m, boolean[] mask, int rows, int capacity, int columns) {
    boolean[] out = new boolean[rows * columns];
    for (int i = 0; i < rows; i++) {
      System.arraycopy(mask, i * capacity, out, i * columns, columns);
    }
    return m.create(out, new Shape(rows, columns));
  }

  private record Pick(long[] tokens, float[] logprobs) {}

  /**
   * Inverse-CDF sampling on the device: the token is the number of CDF entries ≤ u · total, so
   * only B ids and B log-probs cross to Java per step.
   */
  private static Pick pick(NDArray logits, DistributionParams dist, double[] u) {
    NDManager m = logits.getManager();
    int rows = u.length;
    long vocab = logits.getShape().get(1);
    NDArray logp = TokenDistribution.logProbs(logits, dist);
    NDArray cdf = logp.exp().cumSum(-1);
    float[] uf = new float[rows];
    for (int i = 0; i < rows; i++) {
      uf[i] = (float) u[i];
    }
    NDArray target = m.create(uf, new Shape(rows, 1)).mul(cdf.get(":, -1:"));
    NDArray index = cdf.lte(target).toType(DataType.INT64, false)
        .sum(new int[] {-1}, true).minimum(vocab - 1);
    long[] tokens = index.toLongArray();
    float[] lp = logp.gather(index, -1).toFloatArray();
    long[] fallback = null;
    for (int i = 0; i < rows; i++) {
      if (Float.isInfinite(lp[i])) {
        // u · total rounded onto the last CDF step: take the mode, which is always supported.
        if (fallback == null) {
          fallback = logp.argMax(-1).toLongArray();
        }
        tokens[i] = fallback[i];
        lp[i] = logp.get(i, fallback[i]).getFloat();
      }
    }
    return new Pick(tokens, lp);
  }
}
