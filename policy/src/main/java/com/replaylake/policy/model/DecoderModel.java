package com.replaylake.policy.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import com.replaylake.policy.PolicyErrors;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.checkpoint.TensorData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * A decoder-only transformer with Hugging Face Llama / Qwen2 semantics: token embedding, per
 * layer RMSNorm → grouped-query causal self-attention with rotary embeddings (q/k/v biases for
 * Qwen2) → residual, RMSNorm → SwiGLU MLP → residual, final RMSNorm and LM head (tied to the
 * embedding when configured). Parameters are plain {@link NDArray}s keyed by their HF state-dict
 * names and owned by this model's manager; the forward pass uses only differentiable NDArray
 * operations, so after {@link #setTrainable(boolean) setTrainable(true)} a DJL {@code
 * GradientCollector} yields gradients for every parameter.
 *
 * <p>Every intermediate array of {@link #forward} is attached to the manager of the input ids,
 * never to the model's, so a caller that opens a sub-manager per call leaks nothing.
 */
public final class DecoderModel implements AutoCloseable {
  /** Additive attention bias for masked keys: finite, so fully masked pad rows stay NaN-free. */
  static final float MASKED = -1e9f;

  private static final String IGNORED_SUFFIX = "rotary_emb.inv_freq";

  private final PolicyConfig config;
  private final NDManager manager;
  private final Map<String, NDArray> params;
  private final NDArray invFreq;
  private final DataType dtype;
  private final float attnScale;
  /** [D, D] matrix R with x·R = rotate_half(x): RoPE in 4 ops instead of 7. */
  private final NDArray rotateHalf;

  private DecoderModel(
      PolicyConfig config, NDManager manager, Map<String, NDArray> params, DataType dtype) {
    this.config = config;
    this.manager = manager;
    this.params = Collections.unmodifiableMap(params);
    this.dtype = dtype;
    float[] inv = config.ropeInverseFrequencies();
    this.invFreq = manager.create(inv);
    this.attnScale = (float) (1.0 / Math.sqrt(config.headDim()));
    int d = config.headDim();
    int half = d / 2;
    float[] r = new float[d * d];
    for (int j = 0; j < half; j++) {
      r[(j + half) * d + j] = -1f;
      r[j * d + j + half] = 1f;
    }
    NDArray rot = manager.create(r, new Shape(d, d));
    this.rotateHalf = dtype == DataType.FLOAT32 ? rot : rot.toType(dtype, false);
  }

  /**
   * Builds a model from named tensors, checking every name and shape against {@code config}.
   *
   * @param source names the checkpoint in errors
   * @param dtype compute and storage dtype: FLOAT32, or FLOAT16 (meant for GPUs; norms, softmax
   *     and logits stay float32); BFLOAT16 is refused (DJL 0.36's binding aborts on it)
   */
  public static DecoderModel fromTensors(
      PolicyConfig config, Map<String, TensorData> tensors, Device device, DataType dtype,
      String source) {
    Map<String, long[]> expected = config.expectedTensors();
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      TensorData t = tensors.get(e.getKey());
      if (t == null) {
        throw PolicyErrors.missingTensor(source, e.getKey());
      }
      if (!Arrays.equals(t.shape(), e.getValue())) {
        throw PolicyErrors.wrongShape(source, e.getKey(), t.shape(), e.getValue());
      }
    }
    TreeSet<String> extra = new TreeSet<>();
    for (String name : tensors.keySet()) {
      boolean tiedHead = config.tieWordEmbeddings() && name.equals("lm_head.weight");
      if (!expected.containsKey(name) && !tiedHead && !name.endsWith(IGNORED_SUFFIX)) {
        extra.add(name);
      }
    }
    if (!extra.isEmpty()) {
      throw PolicyErrors.unexpectedTensors(source, extra);
    }
    if (dtype != DataType.FLOAT32 && dtype != DataType.FLOAT16) {
      // DJL 0.36's PyTorch JNI aborts the JVM on bfloat16 tensors (create or toType), so refuse
      // before touching native code.
      throw PolicyErrors.badArgument("compute dtype", dtype,
          "use FLOAT32 (CPU) or FLOAT16 (GPU); DJL 0.36's PyTorch binding cannot hold bfloat16"
              + " tensors (bf16 checkpoints load fine: they are widened on the heap)");
    }
    NDManager m = PolicyRuntime.newManager(device);
    try {
      Map<String, NDArray> params = new LinkedHashMap<>();
      for (Map.Entry<String, long[]> e : expected.entrySet()) {
        params.put(e.getKey(), toArray(m, tensors.get(e.getKey()), dtype));
      }
      return new DecoderModel(config, m, params, dtype);
    } catch (RuntimeException e) {
      m.close();
      throw e;
    }
  }

  private static NDArray toArray(NDManager m, TensorData t, DataType dtype) {
    NDArray a = m.create(t.values(), new Shape(t.shape()));
    if (dtype == DataType.FLOAT32) {
      return a;
    }
    NDArray c = a.toType(dtype, false);
    a.close();
    return c;
  }

  /**
   * A randomly initialized model, deterministic in {@code seed} on every platform (values are
   * drawn in Java): weights and biases ~ N(0, initializer_range²), RMSNorm weights 1.
   */
  public static DecoderModel random(PolicyConfig config, long seed, Device device) {
    SplittableRandom rng = new SplittableRandom(seed);
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : config.expectedTensors().entrySet()) {
      float[] v = new float[(int) TensorData.numel(e.getValue())];
      if (e.getKey().endsWith("norm.weight")) {
        Arrays.fill(v, 1f);
      } else {
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) (rng.nextGaussian() * config.initializerRange());
        }
      }
      tensors.put(e.getKey(), new TensorData(e.getKey(), e.getValue(), v));
    }
    return fromTensors(config, tensors, device, DataType.FLOAT32, "(random init)");
  }

  /** The architecture. */
  public PolicyConfig config() {
    return config;
  }

  /** Parameter dtype. */
  public DataType dtype() {
    return dtype;
  }

  /** The device parameters live on. */
  public Device device() {
    return manager.getDevice();
  }

  /** The manager owning the parameters (do not attach per-call arrays to it). */
  public NDManager manager() {
    return manager;
  }

  /** Parameters by HF name, in a stable order (no {@code lm_head.weight} when tied). */
  public Map<String, NDArray> parameters() {
    return params;
  }

  /** Turns gradient tracking of every parameter on or off (for the learner's autograd). */
  public void setTrainable(boolean trainable) {
    for (NDArray p : params.values()) {
      p.setRequiresGradient(trainable);
    }
  }

  /**
   * The gradients of all parameters (after a {@code GradientCollector.backward}), attached to
   * {@code scope} so that closing it frees them (DJL would attach them to the model's manager).
   * PyTorch accumulates gradients across backward passes: call {@link #zeroGradients()} between
   * optimizer steps.
   */
  public Map<String, NDArray> gradients(NDManager scope) {
    Map<String, NDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      if (!e.getValue().hasGradient()) {
        throw PolicyErrors.badArgument("gradients of " + e.getKey(), "none",
            "call setTrainable(true) before the forward pass");
      }
      NDArray g = e.getValue().getGradient();
      g.attach(scope);
      out.put(e.getKey(), g);
    }
    return out;
  }

  /** Sets every accumulated gradient to zero, in place. */
  public void zeroGradients() {
    for (NDArray p : params.values()) {
      if (p.hasGradient()) {
        JniUtils.zeroGrad((PtNDArray) p);
      }
    }
  }

  /** Copies every parameter to the Java heap as float32, in HF names. */
  public List<TensorData> toTensors() {
    List<TensorData> out = new ArrayList<>();
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray p = e.getValue();
      float[] v;
      if (p.getDataType() == DataType.FLOAT32) {
        v = p.toFloatArray();
      } else {
        try (NDArray f = p.toType(DataType.FLOAT32, true)) {
          v = f.toFloatArray();
        }
      }
      out.add(new TensorData(e.getKey(), p.getShape().getShape(), v));
    }
    return out;
  }

  /** An empty KV cache for {@code batch} rows and {@code capacity} slots, owned by {@code
   * scope}. */
  public KvCache newCache(NDManager scope, int batch, int capacity) {
    return new KvCache(scope, config, batch, capacity, dtype);
  }

  /** Full forward pass of a padded batch: float32 logits [batch, length, vocab]. */
  public NDArray forward(NDManager scope, TokenBatch batch) {
    return forward(
        batch.idsArray(scope), batch.positionsArray(scope), batch.maskArray(scope), null);
  }

  /**
   * The forward pass.
   *
   * @param ids int64 [B, T] token ids; their manager receives every intermediate and the result
   * @param positions int64 [B, T] rotary position ids
   * @param keyMask boolean [B, past + T]: which key slots (cached ones first) may be attended
   * @param cache null for a stateless pass; else the T new keys/values are appended to it and
   *     queries attend to all its slots (causally)
   * @return float32 logits [B, T, vocab]
   */
  public NDArray forward(NDArray ids, NDArray positions, NDArray keyMask, KvCache cache) {
    return logits(hiddenStates(ids, positions, keyMask, cache));
  }

  /**
   * The decoder stack without the LM head: final (normed) hidden states [B, T, hidden]; same
   * arguments as {@link #forward(NDArray, NDArray, NDArray, KvCache)}.
   */
  public NDArray hiddenStates(NDArray ids, NDArray positions, NDArray keyMask, KvCache cache) {
    NDManager scope = ids.getManager();
    Shape s = ids.getShape();
    int b = (int) s.get(0);
    int t = (int) s.get(1);
    int past = cache == null ? 0 : cache.length();
    int keysLen = past + t;
    if (!positions.getShape().equals(s)) {
      throw PolicyErrors.badArgument(
          "position ids shape", positions.getShape(), "expected the ids' shape " + s);
    }
    if (keyMask.getShape().dimension() != 2 || keyMask.getShape().get(1) != keysLen
        || keyMask.getShape().get(0) != b) {
      throw PolicyErrors.badArgument(
          "key mask shape", keyMask.getShape(), "expected [" + b + ", " + keysLen + "]");
    }
    if (cache != null) {
      cache.checkAppend(t, b);
    }
    int hq = config.numAttentionHeads();
    int hkv = config.numKeyValueHeads();
    int g = config.queryGroups();
    int d = config.headDim();

    NDArray x = Embedding.embedding(ids, param("model.embed_tokens.weight"), SparseFormat.DENSE)
        .singletonOrThrow();

    NDArray freqs = positions.toType(DataType.FLOAT32, false).expandDims(-1).mul(invFreq);
    NDArray emb = freqs.concat(freqs, -1);
    NDArray cos = emb.cos().expandDims(2).toType(dtype, false);
    NDArray sin = emb.sin().expandDims(2).toType(dtype, false);
    // The 1/sqrt(d) attention scale is folded into the queries' rotation (linear, so exact up to
    // rounding): one multiply per forward instead of one per layer.
    NDArray cosQ = cos.mul(attnScale);
    NDArray sinQ = sin.mul(attnScale);

    NDArray keyIdx = scope.arange(0, keysLen, 1, DataType.INT64).reshape(1, keysLen);
    NDArray qryIdx = scope.arange(past, keysLen, 1, DataType.INT64).reshape(t, 1);
    NDArray allowed = keyIdx.lte(qryIdx).expandDims(0).logicalAnd(keyMask.expandDims(1));
    // Kept in float32 even for half-precision models: -1e9 would overflow to -inf in fp16.
    NDArray bias = allowed.toType(DataType.FLOAT32, false).sub(1f).mul(-MASKED)
        .reshape(t == 1 ? new Shape(b, 1, 1, keysLen) : new Shape(b, 1, 1, t, keysLen));

    for (int l = 0; l < config.numHiddenLayers(); l++) {
      String p = "model.layers." + l + ".";
      NDArray h = rmsNorm(x, param(p + "input_layernorm.weight"));
      NDArray q = linear(h, p + "self_attn.q_proj").reshape(b, t, hq, d);
      NDArray k = linear(h, p + "self_attn.k_proj").reshape(b, t, hkv, d);
      NDArray v = linear(h, p + "self_attn.v_proj").reshape(b, t, hkv, d);
      q = rope(q, cosQ, sinQ);
      k = rope(k, cos, sin).transpose(0, 2, 1, 3);
      v = v.transpose(0, 2, 1, 3);
      if (cache != null) {
        cache.write(l, k, v);
        k = cache.keys(l, keysLen, scope);
        v = cache.values(l, keysLen, scope);
      }
      // Query head h uses key/value head h / g (HF repeat_kv): group queries, no KV copies.
      NDArray attn;
      if (t == 1) {
        // Decoding step: [B, 1, hq, D] is already [B, hkv, g, D]; 6 fewer ops per layer.
        NDArray scores = q.reshape(b, hkv, g, d).matMul(k.transpose(0, 1, 3, 2));
        attn = softmax(scores, bias).matMul(v).reshape(b, 1, hq * d);
      } else {
        NDArray qg = q.reshape(b, t, hkv, g, d).transpose(0, 2, 3, 1, 4)
            .reshape(b, hkv, g * t, d);
        NDArray scores = qg.matMul(k.transpose(0, 1, 3, 2)).reshape(b, hkv, g, t, keysLen);
        attn = softmax(scores, bias).reshape(b, hkv, g * t, keysLen).matMul(v)
            .reshape(b, hkv, g, t, d).transpose(0, 3, 1, 2, 4).reshape(b, t, hq * d);
      }
      x = x.add(linear(attn, p + "self_attn.o_proj"));

      NDArray h2 = rmsNorm(x, param(p + "post_attention_layernorm.weight"));
      NDArray gateIn = linear(h2, p + "mlp.gate_proj");
      NDArray gate = gateIn.mul(Activation.sigmoid(gateIn)); // SiLU, 2 ops (swish(x, 1) is 3)
      NDArray up = linear(h2, p + "mlp.up_proj");
      x = x.add(linear(gate.mul(up), p + "mlp.down_proj"));
    }
    if (cache != null) {
      cache.advance(t);
    }
    return rmsNorm(x, param("model.norm.weight"));
  }

  /**
   * The LM head: float32 logits [..., vocab] of final hidden states [..., hidden] (apply it to
   * the rows you need only: a real vocabulary makes it the largest matmul).
   */
  public NDArray logits(NDArray hidden) {
    NDArray head = config.tieWordEmbeddings()
        ? param("model.embed_tokens.weight") : param("lm_head.weight");
    NDArray logits = Linear.linear(hidden, head).singletonOrThrow();
    return dtype == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
  }

  /** Softmax over keys of scores + additive mask bias, in float32 for half-precision models. */
  private NDArray softmax(NDArray scores, NDArray bias) {
    return dtype == DataType.FLOAT32
        ? scores.add(bias).softmax(-1)
        : scores.toType(DataType.FLOAT32, false).add(bias).softmax(-1).toType(dtype, false);
  }

  private NDArray param(String name) {
    NDArray p = params.get(name);
    if (p == null) {
      throw new IllegalStateException("Cannot find parameter '" + name + "'");
    }
    return p;
  }

  private NDArray linear(NDArray x, String prefix) {
    NDArray w = param(prefix + ".weight");
    NDArray bias = params.get(prefix + ".bias");
    return (bias == null ? Linear.linear(x, w) : Linear.linear(x, w, bias)).singletonOrThrow();
  }

  private NDArray rmsNorm(NDArray x, NDArray weight) {
    NDArray xf = dtype == DataType.FLOAT32 ? x : x.toType(DataType.FLOAT32, false);
    NDArray variance = xf.square().mean(new int[] {-1}, true);
    NDArray normed = xf.div(variance.add((float) config.rmsNormEps()).sqrt());
    return (dtype == DataType.FLOAT32 ? normed : normed.toType(dtype, false)).mul(weight);
  }

  /**
   * HF apply_rotary_pos_emb: x * cos + rotate_half(x) * sin on [B, T, heads, D], with
   * rotate_half(x) = cat(-x[..., D/2:], x[..., :D/2]) computed as x · R (R holds one ±1 per
   * column, so the product is exact).
   */
  private NDArray rope(NDArray x, NDArray cos, NDArray sin) {
    return x.mul(cos).add(x.matMul(rotateHalf).mul(sin));
  }

  /** Releases every parameter. */
  @Override
  public void close() {
    manager.close();
  }
}
