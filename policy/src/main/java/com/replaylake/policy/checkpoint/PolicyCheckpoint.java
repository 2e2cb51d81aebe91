package com.replaylake.policy.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replaylake.policy.PolicyErrors;
import com.replaylake.policy.model.PolicyConfig;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;

/**
 * A checkpoint in Hugging Face layout, read into the Java heap: {@code config.json}, the weights
 * ({@code model.safetensors}, or shards listed by {@code model.safetensors.index.json}), and the
 * text of {@code tokenizer.json} and {@code tokenizer_config.json} when present.
 *
 * @param config the architecture
 * @param tensors weights by HF name, as float32
 * @param tokenizerJson {@code tokenizer.json} text, or null
 * @param tokenizerConfigJson {@code tokenizer_config.json} text, or null
 */
public record PolicyCheckpoint(
    PolicyConfig config, Map<String, TensorData> tensors, String tokenizerJson,
    String tokenizerConfigJson) {

  public static final String CONFIG = "config.json";
  public static final String WEIGHTS = "model.safetensors";
  public static final String WEIGHTS_INDEX = "model.safetensors.index.json";
  public static final String TOKENIZER = "tokenizer.json";
  public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Reads a checkpoint; failures name the location and the file. */
  public static PolicyCheckpoint read(CheckpointSource source) {
    String where = source.describe();
    try {
      if (!source.exists(CONFIG)) {
        throw PolicyErrors.missingFile(where, CONFIG, "every HF checkpoint has one");
      }
      PolicyConfig config;
      try (InputStream in = source.open(CONFIG)) {
        config = PolicyConfig.fromJson(in, where + "/" + CONFIG);
      }
      Map<String, TensorData> tensors = new LinkedHashMap<>();
      if (source.exists(WEIGHTS)) {
        readWeights(source, WEIGHTS, tensors);
      } else if (source.exists(WEIGHTS_INDEX)) {
        for (String shard : shards(source)) {
          readWeights(source, shard, tensors);
        }
      } else {
        throw PolicyErrors.missingFile(
            where, WEIGHTS, "neither it nor " + WEIGHTS_INDEX + " exists (.bin is not supported)");
      }
      String tok = source.exists(TOKENIZER) ? readText(source, TOKENIZER) : null;
      String tokCfg = source.exists(TOKENIZER_CONFIG) ? readText(source, TOKENIZER_CONFIG) : null;
      return new PolicyCheckpoint(config, tensors, tok, tokCfg);
    } catch (IOException e) {
      throw PolicyErrors.io("read checkpoint", where, e);
    }
  }

  private static Collection<String> shards(CheckpointSource source) throws IOException {
    JsonNode index;
    try (InputStream in = source.open(WEIGHTS_INDEX)) {
      index = JSON.readTree(in);
    }
    JsonNode map = index == null ? null : index.get("weight_map");
    if (map == null || !map.isObject()) {
      throw PolicyErrors.badSafetensors(
          source.describe() + "/" + WEIGHTS_INDEX, "it has no weight_map object");
    }
    TreeSet<String> files = new TreeSet<>();
    Iterator<JsonNode> it = map.elements();
    while (it.hasNext()) {
      String f = it.next().asText();
      if (f.contains("/") || f.contains("\\") || f.startsWith(".")) {
        throw PolicyErrors.badSafetensors(
            source.describe() + "/" + WEIGHTS_INDEX, "shard name '" + f + "' is not a plain name");
      }
      files.add(f);
    }
    for (String f : files) {
      if (!source.exists(f)) {
        throw PolicyErrors.missingFile(source.describe(), f, "listed in " + WEIGHTS_INDEX);
      }
    }
    return files;
  }

  private static void readWeights(
      CheckpointSource source, String file, Map<String, TensorData> into) throws IOException {
    String where = source.describe() + "/" + file;
    try (InputStream in = new BufferedInputStream(source.open(file), 1 << 20)) {
      SafetensorsReader.read(in, where, t -> {
        if (into.put(t.name(), t) != null) {
          throw PolicyErrors.badSafetensors(where, "tensor '" + t.name() + "' appears twice");
        }
      });
    }
  }

  private static String readText(CheckpointSource source, String name) throws IOException {
    try (InputStream in = source.open(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /**
   * Writes {@code config.json}, {@code model.safetensors} (in {@code dtype}) and the tokenizer
   * files that are present. Weights are written last, so a reader polling for them sees a
   * complete config first; atomic publication is the caller's (the policy_versions commit).
   */
  public void write(CheckpointSink sink, TensorDtype dtype) {
    try {
      writeText(sink, CONFIG, config.toJson(dtype.torchName()));
      if (tokenizerJson != null) {
        writeText(sink, TOKENIZER, tokenizerJson);
      }
      if (tokenizerConfigJson != null) {
        writeText(sink, TOKENIZER_CONFIG, tokenizerConfigJson);
      }
      try (OutputStream out = new BufferedOutputStream(sink.create(WEIGHTS), 1 << 20)) {
        SafetensorsWriter.write(out, tensors.values(), dtype, Map.of());
      }
    } catch (IOException e) {
      throw PolicyErrors.io("write checkpoint", sink.describe(), e);
    }
  }

  private static void writeText(CheckpointSink sink, String name, String text) throws IOException {
    try (OutputStream out = sink.create(name)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
