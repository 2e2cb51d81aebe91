package com.replaylake.policy.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.replaylake.policy.PolicyException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PolicyConfigTest {
  private static PolicyConfig parse(String json) {
    return PolicyConfig.fromJson(
        new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "config.json");
  }

  /** The shape of Llama 3.2 1B's config.json (rope_type llama3). */
  private static final String LLAMA32 = "{\"model_type\":\"llama\",\"vocab_size\":300,"
      + "\"hidden_size\":128,\"intermediate_size\":256,\"num_hidden_layers\":1,"
      + "\"num_attention_heads\":2,\"num_key_value_heads\":1,\"head_dim\":64,"
      + "\"rope_theta\":500000.0,\"max_position_embeddings\":131072,"
      + "\"rope_scaling\":{\"factor\":32.0,\"high_freq_factor\":4.0,\"low_freq_factor\":1.0,"
      + "\"original_max_position_embeddings\":8192,\"rope_type\":\"llama3\"},"
      + "\"tie_word_embeddings\":true}";

  @Test
  void llama3RopeScalingKeepsHighScalesLowAndBlendsMediumFrequencies() {
    PolicyConfig c = parse(LLAMA32);
    assertThat(c.ropeScaling()).isEqualTo(new RopeScaling("llama3", 32, 1, 4, 8192));
    PolicyConfig plain = c.withRopeScaling(null);
    float[] base = plain.ropeInverseFrequencies();
    float[] scaled = c.ropeInverseFrequencies();
    int kept = 0;
    int divided = 0;
    int blended = 0;
    for (int i = 0; i < base.length; i++) {
      double wavelen = 2 * Math.PI / base[i];
      if (wavelen < 8192 / 4.0) {
        assertThat(scaled[i]).isEqualTo(base[i]);
        kept++;
      } else if (wavelen > 8192 / 1.0) {
        assertThat((double) scaled[i]).isCloseTo(base[i] / 32.0, within(base[i] * 1e-6));
        divided++;
      } else {
        assertThat(scaled[i]).isLessThan(base[i]).isGreaterThan(base[i] / 32);
        blended++;
      }
    }
    assertThat(kept).isPositive();
    assertThat(divided).isPositive();
    assertThat(blended).isPositive();
    assertThat(scaled[0]).isEqualTo(1f);
    // Frequencies stay decreasing through the blend.
    for (int i = 1; i < scaled.length; i++) {
      assertThat(scaled[i]).isLessThan(scaled[i - 1]);
    }
    assertThat(parse(c.toJson("float32"))).isEqualTo(c);
  }

  @Test
  void linearScalingDividesEveryFrequency() {
    PolicyConfig c = parse(LLAMA32.replace("\"rope_type\":\"llama3\"", "\"rope_type\":\"linear\"")
        .replace("\"factor\":32.0", "\"factor\":4.0"));
    float[] base = c.withRopeScaling(null).ropeInverseFrequencies();
    float[] scaled = c.ropeInverseFrequencies();
    for (int i = 0; i < base.length; i++) {
      assertThat(scaled[i]).isEqualTo(base[i] / 4f);
    }
    assertThat(parse(c.toJson("float32"))).isEqualTo(c);
  }

  @Test
  void defaultFrequenciesFollowHfFormula() {
    float[] inv = PolicyConfig.tiny().ropeInverseFrequencies();
    assertThat(inv).hasSize(16);
    assertThat(inv[0]).isEqualTo(1f);
    assertThat((double) inv[1]).isCloseTo(Math.pow(10000, -2.0 / 32), within(1e-7));
    assertThat((double) inv[15]).isCloseTo(Math.pow(10000, -30.0 / 32), within(1e-9));
  }

  @Test
  void unsupportedScalingTypesAreRejectedByName() {
    assertThatThrownBy(() -> parse(LLAMA32.replace("\"rope_type\":\"llama3\"",
        "\"rope_type\":\"yarn\""))).isInstanceOf(PolicyException.class)
        .hasMessageContaining("rope_scaling").hasMessageContaining("config.json");
    assertThat(parse(LLAMA32.replace("\"rope_type\":\"llama3\"", "\"rope_type\":\"default\""))
        .ropeScaling()).isNull();
  }
}
