package com.replaylake.policy.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replaylake.policy.PolicyException;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.TestModels;
import com.replaylake.policy.model.PolicyConfig;
import com.replaylake.policy.model.TokenBatch;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyCheckpointTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  @TempDir Path dir;

  private static float[] logits(PolicyModel m, int[] seq) {
    try (NDManager s = PolicyRuntime.newManager(Device.cpu())) {
      NDArray l = m.decoder().forward(s, TokenBatch.rightPadded(List.of(seq), 0));
      return l.toFloatArray();
    }
  }

  @Test
  void saveThenLoadReproducesLogitsExactly() {
    int[] seq = TestModels.tokens(1, 12);
    try (PolicyModel m = TestModels.microPolicy(5)) {
      float[] before = logits(m, seq);
      m.save(dir, TensorDtype.F32);
      assertThat(dir.resolve("config.json")).exists();
      assertThat(dir.resolve("model.safetensors")).exists();
      assertThat(dir.resolve("tokenizer.json")).exists();
      assertThat(dir.resolve("tokenizer_config.json")).exists();
      try (PolicyModel back = PolicyModel.load(dir, Device.cpu())) {
        assertThat(back.config()).isEqualTo(m.config());
        assertThat(logits(back, seq)).containsExactly(before);
        assertThat(back.tokenizer().tokenizerJson()).isEqualTo(m.tokenizer().tokenizerJson());
      }
    }
  }

  @Test
  void trainableModelSavesAndStaysTrainable() {
    int[] seq = TestModels.tokens(4, 6);
    try (PolicyModel m = TestModels.microPolicy(8)) {
      m.decoder().setTrainable(true);
      float[] before = logits(m, seq);
      m.save(dir, TensorDtype.F32);
      assertThat(m.decoder().parameters().values()).allMatch(NDArray::hasGradient);
      try (PolicyModel back = PolicyModel.load(dir, Device.cpu())) {
        assertThat(logits(back, seq)).containsExactly(before);
      }
    }
  }

  @Test
  void bf16SaveLoadStaysWithinBf16Tolerance() throws IOException {
    int[] seq = TestModels.tokens(2, 12);
    try (PolicyModel m = TestModels.microPolicy(6)) {
      float[] before = logits(m, seq);
      m.save(dir, TensorDtype.BF16);
      JsonNode cfg = JSON.readTree(dir.resolve("config.json").toFile());
      assertThat(cfg.get("torch_dtype").asText()).isEqualTo("bfloat16");
      Map<String, TensorData> orig = m.toCheckpoint().tensors();
      try (PolicyModel back = PolicyModel.load(dir, Device.cpu())) {
        for (TensorData t : back.toCheckpoint().tensors().values()) {
          float[] o = orig.get(t.name()).values();
          float[] b = t.values();
          for (int i = 0; i < o.length; i++) {
            assertThat(b[i]).isEqualTo(TensorDtype.fromBf16Bits(TensorDtype.toBf16Bits(o[i])));
          }
        }
        float[] after = logits(back, seq);
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < before.length; i++) {
          maxAbs = Math.max(maxAbs, Math.abs(before[i]));
          maxDiff = Math.max(maxDiff, Math.abs(before[i] - after[i]));
        }
        // bf16 keeps 8 significant bits (relative error <= 2^-9 per weight).
        assertThat(maxDiff).isGreaterThan(0).isLessThan(0.05 * Math.max(1, maxAbs));
      }
      assertThat(Files.size(dir.resolve("model.safetensors")))
          .isLessThan(m.config().parameterCount() * 2 + 64_000);
    }
  }

  @Test
  void randomQwen2CheckpointHasHfNamesAndShapes() throws IOException {
    PolicyConfig cfg = TestModels.micro();
    try (PolicyModel m = PolicyModel.random(cfg, 11, Device.cpu())) {
      m.save(dir, TensorDtype.F32);
    }
    List<SafetensorsReader.TensorInfo> header;
    try (InputStream in = Files.newInputStream(dir.resolve("model.safetensors"))) {
      header = SafetensorsReader.readHeader(in, "written");
    }
    Map<String, long[]> got = new LinkedHashMap<>();
    header.forEach(t -> got.put(t.name(), t.shape()));
    assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(cfg.expectedTensors().keySet());
    assertThat(got).containsKeys("model.embed_tokens.weight", "model.norm.weight",
        "model.layers.1.self_attn.q_proj.bias", "model.layers.1.self_attn.k_proj.bias",
        "model.layers.1.self_attn.v_proj.bias", "model.layers.0.mlp.gate_proj.weight",
        "model.layers.0.mlp.up_proj.weight", "model.layers.0.mlp.down_proj.weight",
        "model.layers.0.input_layernorm.weight", "model.layers.0.post_attention_layernorm.weight")
        .doesNotContainKeys("lm_head.weight", "model.layers.0.self_attn.o_proj.bias");
    // 4 query heads x 8 over hidden 32, 2 KV heads x 8: GQA shapes as HF stores them [out, in].
    assertThat(got.get("model.layers.0.self_attn.q_proj.weight")).containsExactly(32, 32);
    assertThat(got.get("model.layers.0.self_attn.k_proj.weight")).containsExactly(16, 32);
    assertThat(got.get("model.layers.0.self_attn.v_proj.bias")).containsExactly(16);
    assertThat(got.get("model.layers.0.self_attn.o_proj.weight")).containsExactly(32, 32);
    assertThat(got.get("model.layers.0.mlp.down_proj.weight")).containsExactly(32, 64);
    assertThat(got.get("model.embed_tokens.weight")).containsExactly(264, 32);

    JsonNode c = JSON.readTree(dir.resolve("config.json").toFile());
    assertThat(c.get("architectures").get(0).asText()).isEqualTo("Qwen2ForCausalLM");
    assertThat(c.get("model_type").asText()).isEqualTo("qwen2");
    assertThat(c.get("num_key_value_heads").asInt()).isEqualTo(2);
    assertThat(c.get("tie_word_embeddings").asBoolean()).isTrue();
    assertThat(c.get("hidden_act").asText()).isEqualTo("silu");
    try (InputStream in = Files.newInputStream(dir.resolve("config.json"))) {
      assertThat(PolicyConfig.fromJson(in, "c")).isEqualTo(cfg);
    }
  }

  @Test
  void missingTensorIsNamed() throws IOException {
    writeWithout("model.layers.1.self_attn.k_proj.bias");
    assertThatThrownBy(() -> PolicyModel.load(dir, Device.cpu()))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("'model.layers.1.self_attn.k_proj.bias'")
        .hasMessageContaining("missing")
        .hasMessageContaining(dir.toString());
  }

  @Test
  void wrongShapeIsNamedWithBothShapes() throws IOException {
    PolicyCheckpoint ckpt = microCheckpoint();
    Map<String, TensorData> t = new LinkedHashMap<>(ckpt.tensors());
    t.put("model.layers.0.mlp.up_proj.weight",
        new TensorData("model.layers.0.mlp.up_proj.weight", new long[] {32, 64}, new float[2048]));
    new PolicyCheckpoint(ckpt.config(), t, ckpt.tokenizerJson(), ckpt.tokenizerConfigJson())
        .write(CheckpointSink.directory(dir), TensorDtype.F32);
    assertThatThrownBy(() -> PolicyModel.load(dir, Device.cpu()))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("'model.layers.0.mlp.up_proj.weight'")
        .hasMessageContaining("[32, 64]").hasMessageContaining("[64, 32]");
  }

  @Test
  void unexpectedTensorsAreRejectedButTiedHeadAndInvFreqAreTolerated() throws IOException {
    PolicyCheckpoint ckpt = microCheckpoint();
    Map<String, TensorData> t = new LinkedHashMap<>(ckpt.tensors());
    TensorData embed = t.get("model.embed_tokens.weight");
    t.put("lm_head.weight", new TensorData("lm_head.weight", embed.shape(), embed.values()));
    t.put("model.layers.0.self_attn.rotary_emb.inv_freq",
        new TensorData("model.layers.0.self_attn.rotary_emb.inv_freq", new long[] {4},
            new float[4]));
    new PolicyCheckpoint(ckpt.config(), t, ckpt.tokenizerJson(), ckpt.tokenizerConfigJson())
        .write(CheckpointSink.directory(dir), TensorDtype.F32);
    try (PolicyModel m = PolicyModel.load(dir, Device.cpu())) {
      assertThat(m.decoder().parameters()).doesNotContainKey("lm_head.weight");
    }
    t.put("model.layers.2.mlp.up_proj.weight",
        new TensorData("model.layers.2.mlp.up_proj.weight", new long[] {1}, new float[1]));
    new PolicyCheckpoint(ckpt.config(), t, ckpt.tokenizerJson(), ckpt.tokenizerConfigJson())
        .write(CheckpointSink.directory(dir), TensorDtype.F32);
    assertThatThrownBy(() -> PolicyModel.load(dir, Device.cpu()))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("model.layers.2.mlp.up_proj.weight")
        .hasMessageContaining("num_hidden_layers");
  }

  @Test
  void shardedCheckpointLoadsThroughTheIndex() throws IOException {
    PolicyCheckpoint ckpt = microCheckpoint();
    List<TensorData> first = new ArrayList<>();
    List<TensorData> second = new ArrayList<>();
    Map<String, String> weightMap = new LinkedHashMap<>();
    int i = 0;
    for (TensorData t : ckpt.tensors().values()) {
      boolean a = i++ % 2 == 0;
      (a ? first : second).add(t);
      weightMap.put(t.name(), a ? "model-00001-of-00002.safetensors"
          : "model-00002-of-00002.safetensors");
    }
    Files.createDirectories(dir);
    try (OutputStream o = Files.newOutputStream(dir.resolve("model-00001-of-00002.safetensors"))) {
      SafetensorsWriter.write(o, first, TensorDtype.BF16, Map.of());
    }
    try (OutputStream o = Files.newOutputStream(dir.resolve("model-00002-of-00002.safetensors"))) {
      SafetensorsWriter.write(o, second, TensorDtype.F32, Map.of());
    }
    Map<String, Object> index = Map.of("metadata", Map.of("total_size", 0),
        "weight_map", weightMap);
    JSON.writeValue(dir.resolve("model.safetensors.index.json").toFile(), index);
    Files.writeString(dir.resolve("config.json"), ckpt.config().toJson("float32"));
    Files.writeString(dir.resolve("tokenizer.json"), ckpt.tokenizerJson());
    PolicyCheckpoint back = PolicyCheckpoint.read(CheckpointSource.directory(dir));
    assertThat(back.tensors().keySet())
        .containsExactlyInAnyOrderElementsOf(ckpt.tensors().keySet());
    assertThat(back.tokenizerConfigJson()).isNull();
    TensorData f32 = second.get(0);
    assertThat(back.tensors().get(f32.name()).values()).containsExactly(f32.values());

    Files.delete(dir.resolve("model-00002-of-00002.safetensors"));
    assertThatThrownBy(() -> PolicyCheckpoint.read(CheckpointSource.directory(dir)))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("model-00002-of-00002.safetensors");
  }

  @Test
  void checkpointReadsFromAnyStreamSource() {
    PolicyCheckpoint ckpt = microCheckpoint();
    Map<String, byte[]> files = new LinkedHashMap<>();
    ckpt.write(new CheckpointSink() {
      @Override
      public OutputStream create(String name) {
        return new java.io.ByteArrayOutputStream() {
          @Override
          public void close() {
            files.put(name, toByteArray());
          }
        };
      }

      @Override
      public String describe() {
        return "memory";
      }
    }, TensorDtype.F32);
    CheckpointSource mem = new CheckpointSource() {
      @Override
      public boolean exists(String name) {
        return files.containsKey(name);
      }

      @Override
      public InputStream open(String name) {
        return new ByteArrayInputStream(files.get(name));
      }

      @Override
      public String describe() {
        return "memory";
      }
    };
    try (PolicyModel m = PolicyModel.load(mem, Device.cpu(), ai.djl.ndarray.types.DataType.FLOAT32);
        PolicyModel orig = TestModels.microPolicy(21)) {
      int[] seq = TestModels.tokens(3, 5);
      assertThat(logits(m, seq)).containsExactly(logits(orig, seq));
    }
  }

  @Test
  void badConfigsNameTheKey() {
    String base = microCheckpoint().config().toJson("float32");
    assertThatThrownBy(() -> config(base.replace("\"rope_scaling\" : null",
        "\"rope_scaling\" : {\"type\": \"dynamic\", \"factor\": 2.0}")))
        .isInstanceOf(PolicyException.class).hasMessageContaining("rope_scaling");
    assertThatThrownBy(() -> config(base.replace("\"num_key_value_heads\" : 2",
        "\"num_key_value_heads\" : 3")))
        .isInstanceOf(PolicyException.class).hasMessageContaining("num_key_value_heads")
        .hasMessageContaining("cfg.json");
    assertThatThrownBy(() -> config(base.replace("\"hidden_act\" : \"silu\"",
        "\"hidden_act\" : \"gelu\"")))
        .isInstanceOf(PolicyException.class).hasMessageContaining("hidden_act");
    assertThatThrownBy(() -> config(base.replace("\"model_type\" : \"qwen2\"",
        "\"model_type\" : \"gpt2\"")))
        .isInstanceOf(PolicyException.class).hasMessageContaining("model_type");
    assertThatThrownBy(() -> config(base.replace("\"hidden_size\" : 32,", "")))
        .isInstanceOf(PolicyException.class).hasMessageContaining("hidden_size")
        .hasMessageContaining("required");
    assertThatThrownBy(() -> PolicyModel.load(dir.resolve("nowhere"), Device.cpu()))
        .isInstanceOf(PolicyException.class).hasMessageContaining("config.json");
  }

  @Test
  void llamaConfigReadsAttentionBiasAndEosList() {
    String json = "{\"model_type\":\"llama\",\"vocab_size\":300,\"hidden_size\":64,"
        + "\"intermediate_size\":128,\"num_hidden_layers\":1,\"num_attention_heads\":4,"
        + "\"num_key_value_heads\":1,\"rms_norm_eps\":1e-5,\"rope_theta\":500000.0,"
        + "\"attention_bias\":true,\"eos_token_id\":[7,9],\"bos_token_id\":1,"
        + "\"transformers_version\":\"4.51.0\"}";
    PolicyConfig c = config(json);
    assertThat(c.attentionBias()).isTrue();
    assertThat(c.outputBias()).isTrue();
    assertThat(c.headDim()).isEqualTo(16);
    assertThat(c.eosTokenIds()).containsExactly(7, 9);
    assertThat(c.tieWordEmbeddings()).isFalse();
    assertThat(c.expectedTensors()).containsKeys("lm_head.weight",
        "model.layers.0.self_attn.o_proj.bias");
  }

  private static PolicyConfig config(String json) {
    return PolicyConfig.fromJson(
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "cfg.json");
  }

  private static PolicyCheckpoint microCheckpoint() {
    try (PolicyModel m = TestModels.microPolicy(21)) {
      return m.toCheckpoint();
    }
  }

  private void writeWithout(String name) {
    PolicyCheckpoint ckpt = microCheckpoint();
    Map<String, TensorData> t = new LinkedHashMap<>(ckpt.tensors());
    t.remove(name);
    new PolicyCheckpoint(ckpt.config(), t, ckpt.tokenizerJson(), ckpt.tokenizerConfigJson())
        .write(CheckpointSink.directory(dir), TensorDtype.F32);
  }

  @Test
  void tensorValuesSurviveF32RoundTripBitForBit() {
    PolicyCheckpoint ckpt = microCheckpoint();
    ckpt.write(CheckpointSink.directory(dir), TensorDtype.F32);
    PolicyCheckpoint back = PolicyCheckpoint.read(CheckpointSource.directory(dir));
    for (TensorData t : ckpt.tensors().values()) {
      assertThat(back.tensors().get(t.name()).values()).as(t.name()).containsExactly(t.values());
    }
    assertThat(back.config().ropeTheta()).isCloseTo(10000.0, within(0.0));
  }
}
