package com.replaylake.policy;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.replaylake.policy.checkpoint.CheckpointSink;
import com.replaylake.policy.checkpoint.CheckpointSource;
import com.replaylake.policy.checkpoint.PolicyCheckpoint;
import com.replaylake.policy.checkpoint.TensorData;
import com.replaylake.policy.checkpoint.TensorDtype;
import com.replaylake.policy.model.DecoderModel;
import com.replaylake.policy.model.PolicyConfig;
import com.replaylake.policy.tokenizer.ByteLevelTokenizer;
import com.replaylake.policy.tokenizer.ChatMessage;
import com.replaylake.policy.tokenizer.PolicyTokenizer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A policy: the decoder, its tokenizer and chat template, loaded from or saved to a checkpoint in
 * Hugging Face layout. Holds native memory (parameters, tokenizer): close it.
 *
 * <pre>{@code
 * try (PolicyModel policy = PolicyModel.load(dir, Device.cpu())) {
 *   Sampler sampler = new Sampler(policy);
 *   ...
 * }
 * }</pre>
 */
public final class PolicyModel implements AutoCloseable {
  private final DecoderModel decoder;
  private final PolicyTokenizer tokenizer;

  public PolicyModel(DecoderModel decoder, PolicyTokenizer tokenizer) {
    this.decoder = decoder;
    this.tokenizer = tokenizer;
  }

  /** Loads a checkpoint folder onto {@code device} in float32. */
  public static PolicyModel load(Path dir, Device device) {
    return load(CheckpointSource.directory(dir), device, DataType.FLOAT32);
  }

  /**
   * Loads a checkpoint from any source onto {@code device}; {@code dtype} is the compute dtype
   * (FLOAT32 on CPU; BFLOAT16 is meant for GPUs). The checkpoint must have a tokenizer.json.
   */
  public static PolicyModel load(CheckpointSource source, Device device, DataType dtype) {
    PolicyCheckpoint ckpt = PolicyCheckpoint.read(source);
    if (ckpt.tokenizerJson() == null) {
      throw PolicyErrors.missingFile(
          source.describe(), PolicyCheckpoint.TOKENIZER, "a policy needs its tokenizer");
    }
    PolicyTokenizer tok = PolicyTokenizer.fromJson(
        ckpt.tokenizerJson(), ckpt.tokenizerConfigJson(), source.describe());
    try {
      DecoderModel decoder = DecoderModel.fromTensors(
          ckpt.config(), ckpt.tensors(), device, dtype, source.describe());
      return new PolicyModel(decoder, tok);
    } catch (RuntimeException e) {
      tok.close();
      throw e;
    }
  }

  /** The embedded demo policy: {@link PolicyConfig#tiny()}, random weights, byte tokenizer. */
  public static PolicyModel tiny(long seed) {
    return random(PolicyConfig.tiny(), seed, Device.cpu());
  }

  /**
   * The embedded demo policy as a base model: {@link PolicyConfig#tiny()}, random weights, byte
   * tokenizer without a chat template (prompts are plain text, responses end with {@code
   * <|endoftext|>}). Short prompts make it the right start for the synthetic arithmetic task.
   */
  public static PolicyModel tinyPlain(long seed) {
    return random(PolicyConfig.tiny(), seed, Device.cpu(), false);
  }

  /** A randomly initialized policy with the project's byte-level tokenizer and ChatML template. */
  public static PolicyModel random(PolicyConfig config, long seed, Device device) {
    return random(config, seed, device, true);
  }

  /** A randomly initialized policy with the project's byte-level tokenizer, with or without chat template. */
  public static PolicyModel random(PolicyConfig config, long seed, Device device, boolean chat) {
    if (config.vocabSize() < ByteLevelTokenizer.SIZE) {
      throw PolicyErrors.badConfig("(in memory)", "vocab_size", config.vocabSize(),
          "the byte-level tokenizer needs at least " + ByteLevelTokenizer.SIZE);
    }
    PolicyTokenizer tok = PolicyTokenizer.byteLevel(config.maxPositionEmbeddings(), chat);
    try {
      return new PolicyModel(DecoderModel.random(config, seed, device), tok);
    } catch (RuntimeException e) {
      tok.close();
      throw e;
    }
  }

  /** The decoder. */
  public DecoderModel decoder() {
    return decoder;
  }

  /** The tokenizer. */
  public PolicyTokenizer tokenizer() {
    return tokenizer;
  }

  /** The architecture. */
  public PolicyConfig config() {
    return decoder.config();
  }

  /**
   * Token ids that end a response: config.json's {@code eos_token_id}s plus the tokenizer's eos
   * token, without duplicates.
   */
  public List<Integer> stopTokenIds() {
    LinkedHashSet<Integer> ids = new LinkedHashSet<>(config().eosTokenIds());
    ids.addAll(tokenizer.stopTokenIds());
    return List.copyOf(ids);
  }

  /** The prompt text for {@code messages} with the assistant turn opened. */
  public String renderPrompt(List<ChatMessage> messages) {
    return tokenizer.chatTemplate()
        .orElseThrow(() -> PolicyErrors.badTemplate(
            "tokenizer_config.json", "this tokenizer has no chat_template", null))
        .render(messages, true);
  }

  /** The weights and tokenizer files as a checkpoint held on the heap. */
  public PolicyCheckpoint toCheckpoint() {
    Map<String, TensorData> tensors = new LinkedHashMap<>();
    for (TensorData t : decoder.toTensors()) {
      tensors.put(t.name(), t);
    }
    return new PolicyCheckpoint(
        config(), tensors, tokenizer.tokenizerJson(), tokenizer.tokenizerConfigJson());
  }

  /** Saves to a local folder in HF layout. */
  public void save(Path dir, TensorDtype dtype) {
    save(CheckpointSink.directory(dir), dtype);
  }

  /** Saves to any sink in HF layout. */
  public void save(CheckpointSink sink, TensorDtype dtype) {
    toCheckpoint().write(sink, dtype);
  }

  @Override
  public void close() {
    try {
      decoder.close();
    } finally {
      tokenizer.close();
    }
  }
}
