package com.replaylake.policy.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replaylake.policy.PolicyErrors;
import com.replaylake.policy.PolicyException;
import com.replaylake.policy.tokenizer.ByteLevelTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The decoder architecture, mirroring the keys of a Hugging Face Llama / Qwen2 {@code
 * config.json}. Only what changes the computation is kept; other keys in a read file are ignored
 * (HF configs carry many that do not matter here), keys that would change the computation in an
 * unsupported way ({@code rope_scaling} other than linear and llama3, sliding windows, {@code
 * mlp_bias}, activations other than SiLU) are rejected with an error naming the key.
 *
 * @param modelType {@code model_type}: {@code qwen2} or {@code llama}
 * @param vocabSize {@code vocab_size}: rows of the embedding and of {@code lm_head}
 * @param hiddenSize {@code hidden_size}
 * @param intermediateSize {@code intermediate_size}: SwiGLU width
 * @param numHiddenLayers {@code num_hidden_layers}
 * @param numAttentionHeads {@code num_attention_heads}
 * @param numKeyValueHeads {@code num_key_value_heads}: fewer than the attention heads is GQA
 * @param headDim {@code head_dim}: defaults to hidden_size / num_attention_heads
 * @param rmsNormEps {@code rms_norm_eps}
 * @param ropeTheta {@code rope_theta}
 * @param ropeScaling {@code rope_scaling}, or null for plain rotary embeddings
 * @param maxPositionEmbeddings {@code max_position_embeddings}: longest prompt + response
 * @param tieWordEmbeddings {@code tie_word_embeddings}: lm_head shares the embedding matrix
 * @param attentionBias q/k/v (Qwen2: always; Llama: {@code attention_bias}) projections biased
 * @param outputBias o_proj biased (Llama with {@code attention_bias} only)
 * @param bosTokenId {@code bos_token_id}, or -1 when absent
 * @param eosTokenIds {@code eos_token_id} (a number or a list in HF files)
 * @param initializerRange {@code initializer_range}: std of random initialization
 */
public record PolicyConfig(
    String modelType,
    int vocabSize,
    int hiddenSize,
    int intermediateSize,
    int numHiddenLayers,
    int numAttentionHeads,
    int numKeyValueHeads,
    int headDim,
    double rmsNormEps,
    double ropeTheta,
    RopeScaling ropeScaling,
    int maxPositionEmbeddings,
    boolean tieWordEmbeddings,
    boolean attentionBias,
    boolean outputBias,
    int bosTokenId,
    List<Integer> eosTokenIds,
    double initializerRange) {

  public static final String QWEN2 = "qwen2";
  public static final String LLAMA = "llama";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String IN_MEMORY = "(in memory)";

  public PolicyConfig {
    String src = IN_MEMORY;
    if (!QWEN2.equals(modelType) && !LLAMA.equals(modelType)) {
      throw PolicyErrors.unsupportedConfig(src, "model_type", modelType, "use qwen2 or llama");
    }
    positive(src, "vocab_size", vocabSize);
    positive(src, "hidden_size", hiddenSize);
    positive(src, "intermediate_size", intermediateSize);
    positive(src, "num_hidden_layers", numHiddenLayers);
    positive(src, "num_attention_heads", numAttentionHeads);
    positive(src, "num_key_value_heads", numKeyValueHeads);
    positive(src, "head_dim", headDim);
    positive(src, "max_position_embeddings", maxPositionEmbeddings);
    if (numAttentionHeads % numKeyValueHeads != 0) {
      throw PolicyErrors.badConfig(
          src,
          "num_key_value_heads",
          numKeyValueHeads,
          "must divide num_attention_heads = " + numAttentionHeads);
    }
    if (headDim % 2 != 0) {
      throw PolicyErrors.badConfig(src, "head_dim", headDim, "rotary embeddings need it even");
    }
    if (!(rmsNormEps > 0)) {
      throw PolicyErrors.badConfig(src, "rms_norm_eps", rmsNormEps, "must be > 0");
    }
    if (!(ropeTheta > 0)) {
      throw PolicyErrors.badConfig(src, "rope_theta", ropeTheta, "must be > 0");
    }
    eosTokenIds = List.copyOf(eosTokenIds);
  }

  private static void positive(String src, String key, int v) {
    if (v <= 0) {
      throw PolicyErrors.badConfig(src, key, v, "must be > 0");
    }
  }

  /** Number of query heads sharing one key/value head. */
  public int queryGroups() {
    return numAttentionHeads / numKeyValueHeads;
  }

  /**
   * The built-in demo architecture: a 2-layer, d=128 Qwen2-style decoder with grouped-query
   * attention (4 query heads, 2 key/value heads) and tied embeddings, about 0.43M parameters,
   * sized for the project's byte-level tokenizer.
   */
  public static PolicyConfig tiny() {
    return new PolicyConfig(
        QWEN2, 264, 128, 384, 2, 4, 2, 32, 1e-6, 10000.0, null, 512, true, true, false, -1,
        List.of(ByteLevelTokenizer.IM_END_ID, ByteLevelTokenizer.END_OF_TEXT_ID), 0.02);
  }

  /** The mid-size benchmark architecture: 8 layers, d=512, 8 heads, 4 KV heads, ~26M params. */
  public static PolicyConfig midSize() {
    return new PolicyConfig(
        QWEN2, 264, 512, 1536, 8, 8, 4, 64, 1e-6, 10000.0, null, 1024, true, true, false, -1,
        List.of(ByteLevelTokenizer.IM_END_ID, ByteLevelTokenizer.END_OF_TEXT_ID), 0.02);
  }

  /** A copy with another model type (biases follow the type's HF convention). */
  public PolicyConfig withModelType(String type) {
    boolean qkvBias = QWEN2.equals(type);
    return new PolicyConfig(type, vocabSize, hiddenSize, intermediateSize, numHiddenLayers,
        numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta,
        ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, qkvBias, false, bosTokenId,
        eosTokenIds, initializerRange);
  }

  /** A copy with other layer count and widths, for benchmarks and tests. */
  public PolicyConfig withShape(int layers, int hidden, int intermediate, int heads, int kvHeads) {
    return new PolicyConfig(modelType, vocabSize, hidden, intermediate, layers, heads, kvHeads,
        hidden / heads, rmsNormEps, ropeTheta, ropeScaling, maxPositionEmbeddings,
        tieWordEmbeddings, attentionBias, outputBias, bosTokenId, eosTokenIds, initializerRange);
  }

  /** A copy with another random-initialization std (tests use large ones to magnify bugs). */
  public PolicyConfig withInitializerRange(double std) {
    return new PolicyConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers,
        numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta,
        ropeScaling, maxPositionEmbeddings, tieWordEmbeddings, attentionBias, outputBias,
        bosTokenId, eosTokenIds, std);
  }

  /** A copy with another rope scaling (null for none). */
  public PolicyConfig withRopeScaling(RopeScaling scaling) {
    return new PolicyConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers,
        numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta, scaling,
        maxPositionEmbeddings, tieWordEmbeddings, attentionBias, outputBias, bosTokenId,
        eosTokenIds, initializerRange);
  }

  /** A copy with or without tied embeddings. */
  public PolicyConfig withTiedEmbeddings(boolean tied) {
    return new PolicyConfig(modelType, vocabSize, hiddenSize, intermediateSize, numHiddenLayers,
        numAttentionHeads, numKeyValueHeads, headDim, rmsNormEps, ropeTheta,
        ropeScaling, maxPositionEmbeddings, tied, attentionBias, outputBias, bosTokenId,
        eosTokenIds, initializerRange);
  }

  /**
   * The tensors this architecture needs, in HF state-dict names and shapes ([out, in] for
   * projections), in a stable order. {@code lm_head.weight} is absent when embeddings are tied.
   */
  public Map<String, long[]> expectedTensors() {
    Map<String, long[]> m = new LinkedHashMap<>();
    long h = hiddenSize;
    long q = (long) numAttentionHeads * headDim;
    long kv = (long) numKeyValueHeads * headDim;
    m.put("model.embed_tokens.weight", new long[] {vocabSize, h});
    for (int i = 0; i < numHiddenLayers; i++) {
      String p = "model.layers." + i + ".";
      m.put(p + "input_layernorm.weight", new long[] {h});
      m.put(p + "self_attn.q_proj.weight", new long[] {q, h});
      m.put(p + "self_attn.k_proj.weight", new long[] {kv, h});
      m.put(p + "self_attn.v_proj.weight", new long[] {kv, h});
      if (attentionBias) {
        m.put(p + "self_attn.q_proj.bias", new long[] {q});
        m.put(p + "self_attn.k_proj.bias", new long[] {kv});
        m.put(p + "self_attn.v_proj.bias", new long[] {kv});
      }
      m.put(p + "self_attn.o_proj.weight", new long[] {h, q});
      if (outputBias) {
        m.put(p + "self_attn.o_proj.bias", new long[] {h});
      }
      m.put(p + "post_attention_layernorm.weight", new long[] {h});
      m.put(p + "mlp.gate_proj.weight", new long[] {intermediateSize, h});
      m.put(p + "mlp.up_proj.weight", new long[] {intermediateSize, h});
      m.put(p + "mlp.down_proj.weight", new long[] {h, intermediateSize});
    }
    m.put("model.norm.weight", new long[] {h});
    if (!tieWordEmbeddings) {
      m.put("lm_head.weight", new long[] {vocabSize, h});
    }
    return m;
  }

  /** Parameter count (tied embeddings counted once). */
  public long parameterCount() {
    long n = 0;
    for (long[] s : expectedTensors().values()) {
      long e = 1;
      for (long d : s) {
        e *= d;
      }
      n += e;
    }
    return n;
  }

  /**
   * Matmul FLOPs per token of a forward pass, excluding attention scores (2 per multiply-add,
   * the usual 2N rule over the non-embedding weights plus the LM head).
   */
  public long forwardFlopsPerToken() {
    long q = (long) numAttentionHeads * headDim;
    long kv = (long) numKeyValueHeads * headDim;
    long perLayer = (long) hiddenSize * (q + 2 * kv) + q * hiddenSize
        + 3L * hiddenSize * intermediateSize;
    return 2L * (perLayer * numHiddenLayers + (long) vocabSize * hiddenSize);
  }

  /** Attention FLOPs (QK^T and AV) per query token attending to {@code context} keys. */
  public long attentionFlopsPerToken(long context) {
    return 4L * numHiddenLayers * numAttentionHeads * headDim * context;
  }

  /** Reads a HF {@code config.json}; {@code source} names it in errors. */
  public static PolicyConfig fromJson(InputStream in, String source) {
    JsonNode n;
    try {
      n = JSON.readTree(in);
    } catch (IOException e) {
      throw PolicyErrors.io("parse", source, e);
    }
    if (n == null || !n.isObject()) {
      throw PolicyErrors.badConfig(source, "(root)", "", "must be a JSON object");
    }
    String type = text(n, "model_type", null, source);
    if (!QWEN2.equals(type) && !LLAMA.equals(type)) {
      throw PolicyErrors.unsupportedConfig(source, "model_type", type, "use qwen2 or llama");
    }
    String act = text(n, "hidden_act", "silu", source);
    if (!"silu".equals(act)) {
      throw PolicyErrors.unsupportedConfig(source, "hidden_act", act, "only silu (SwiGLU)");
    }
    if (n.path("use_sliding_window").asBoolean(false)) {
      throw PolicyErrors.unsupportedConfig(
          source, "use_sliding_window", true, "sliding-window attention is not implemented");
    }
    if (n.path("mlp_bias").asBoolean(false)) {
      throw PolicyErrors.unsupportedConfig(source, "mlp_bias", true, "MLP biases");
    }
    int hidden = integer(n, "hidden_size", null, source);
    int heads = integer(n, "num_attention_heads", null, source);
    int kvHeads = integer(n, "num_key_value_heads", heads, source);
    int headDim = n.hasNonNull("head_dim") ? integer(n, "head_dim", null, source) : hidden / heads;
    boolean llamaBias = n.path("attention_bias").asBoolean(false);
    boolean qkvBias = QWEN2.equals(type) || llamaBias;
    boolean oBias = LLAMA.equals(type) && llamaBias;
    List<Integer> eos = new ArrayList<>();
    JsonNode e = n.get("eos_token_id");
    if (e != null && e.isArray()) {
      e.forEach(x -> eos.add(x.asInt()));
    } else if (e != null && e.isNumber()) {
      eos.add(e.asInt());
    }
    int bos = n.hasNonNull("bos_token_id") ? n.get("bos_token_id").asInt() : -1;
    try {
      return new PolicyConfig(
          type,
          integer(n, "vocab_size", null, source),
          hidden,
          integer(n, "intermediate_size", null, source),
          integer(n, "num_hidden_layers", null, source),
          heads,
          kvHeads,
          headDim,
          number(n, "rms_norm_eps", 1e-6, source),
          number(n, "rope_theta", 10000.0, source),
          ropeScaling(n.get("rope_scaling"), source),
          integer(n, "max_position_embeddings", 2048, source),
          n.path("tie_word_embeddings").asBoolean(false),
          qkvBias,
          oBias,
          bos,
          eos,
          number(n, "initializer_range", 0.02, source));
    } catch (PolicyException ex) {
      throw PolicyErrors.inSource(ex, IN_MEMORY, source);
    }
  }

  private static RopeScaling ropeScaling(JsonNode r, String source) {
    if (r == null || r.isNull()) {
      return null;
    }
    String type = r.hasNonNull("rope_type") ? r.get("rope_type").asText()
        : r.path("type").asText("(absent)");
    if ("default".equals(type)) {
      return null;
    }
    if (!RopeScaling.LINEAR.equals(type) && !RopeScaling.LLAMA3.equals(type)) {
      throw PolicyErrors.unsupportedConfig(
          source, "rope_scaling", r, "only linear and llama3 rope scaling are implemented");
    }
    return new RopeScaling(type, number(r, "factor", 1.0, source),
        number(r, "low_freq_factor", 1.0, source), number(r, "high_freq_factor", 4.0, source),
        integer(r, "original_max_position_embeddings", 8192, source));
  }

  /**
   * HF's rotary inverse frequencies: {@code 1 / theta^(2i/d)} in float32 (same operation order
   * as {@code _compute_default_rope_parameters}), then {@link #ropeScaling()} if any.
   */
  public float[] ropeInverseFrequencies() {
    int half = headDim / 2;
    float[] inv = new float[half];
    for (int i = 0; i < half; i++) {
      float exponent = (float) (2 * i) / (float) headDim;
      inv[i] = (float) (1.0 / Math.pow(ropeTheta, exponent));
    }
    return ropeScaling == null ? inv : ropeScaling.apply(inv);
  }

  private static String text(JsonNode n, String key, String dflt, String src) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      if (dflt == null) {
        throw PolicyErrors.badConfig(src, key, "(absent)", "is required");
      }
      return dflt;
    }
    return v.asText();
  }

  private static int integer(JsonNode n, String key, Integer dflt, String src) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      if (dflt == null) {
        throw PolicyErrors.badConfig(src, key, "(absent)", "is required");
      }
      return dflt;
    }
    if (!v.canConvertToInt() || !v.isIntegralNumber()) {
      throw PolicyErrors.badConfig(src, key, v, "must be an integer");
    }
    return v.asInt();
  }

  private static double number(JsonNode n, String key, double dflt, String src) {
    JsonNode v = n.get(key);
    if (v == null || v.isNull()) {
      return dflt;
    }
    if (!v.isNumber()) {
      throw PolicyErrors.badConfig(src, key, v, "must be a number");
    }
    return v.asDouble();
  }

  /** The HF {@code config.json} text for this architecture ({@code torch_dtype} as given). */
  public String toJson(String torchDtype) {
    ObjectNode n = JSON.createObjectNode();
    ArrayNode arch = n.putArray("architectures");
    arch.add(QWEN2.equals(modelType) ? "Qwen2ForCausalLM" : "LlamaForCausalLM");
    n.put("model_type", modelType);
    n.put("vocab_size", vocabSize);
    n.put("hidden_size", hiddenSize);
    n.put("intermediate_size", intermediateSize);
    n.put("num_hidden_layers", numHiddenLayers);
    n.put("num_attention_heads", numAttentionHeads);
    n.put("num_key_value_heads", numKeyValueHeads);
    n.put("head_dim", headDim);
    n.put("hidden_act", "silu");
    n.put("rms_norm_eps", rmsNormEps);
    n.put("rope_theta", ropeTheta);
    if (ropeScaling == null) {
      n.putNull("rope_scaling");
    } else {
      ObjectNode r = n.putObject("rope_scaling");
      r.put("rope_type", ropeScaling.type());
      r.put("factor", ropeScaling.factor());
      if (RopeScaling.LLAMA3.equals(ropeScaling.type())) {
        r.put("low_freq_factor", ropeScaling.lowFreqFactor());
        r.put("high_freq_factor", ropeScaling.highFreqFactor());
        r.put("original_max_position_embeddings", ropeScaling.originalMaxPositionEmbeddings());
      }
    }
    n.put("max_position_embeddings", maxPositionEmbeddings);
    n.put("tie_word_embeddings", tieWordEmbeddings);
    if (LLAMA.equals(modelType)) {
      n.put("attention_bias", attentionBias);
      n.put("mlp_bias", false);
    } else {
      n.put("use_sliding_window", false);
      n.put("sliding_window", maxPositionEmbeddings);
      n.put("max_window_layers", numHiddenLayers);
    }
    n.put("attention_dropout", 0.0);
    if (bosTokenId >= 0) {
      n.put("bos_token_id", bosTokenId);
    } else {
      n.putNull("bos_token_id");
    }
    if (eosTokenIds.size() == 1) {
      n.put("eos_token_id", eosTokenIds.get(0));
    } else {
      ArrayNode eos = n.putArray("eos_token_id");
      eosTokenIds.forEach(eos::add);
    }
    n.put("initializer_range", initializerRange);
    n.put("use_cache", true);
    n.put("torch_dtype", torchDtype);
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
