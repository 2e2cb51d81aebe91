package com.replaylake.policy.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.TestModels;
import com.replaylake.policy.checkpoint.TensorData;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks the DJL decoder against a direct, loop-by-loop double-precision transcription of HF's
 * Qwen2/Llama forward pass (modeling_qwen2.py: RMSNorm, rotate_half RoPE, repeat_kv head
 * grouping, SwiGLU). Unlike the cache/padding consistency tests, this catches a wrong head
 * grouping, RoPE convention, bias or norm placement. It does not replace the cross-check against
 * HF transformers itself (see docs/policy.md).
 */
class ReferenceDecoderTest {

  @ParameterizedTest
  @ValueSource(strings = {"qwen2-gqa", "qwen2-mha", "llama-untied", "llama3-rope-scaling"})
  void djlForwardMatchesReferenceTranscription(String variant) {
    PolicyConfig cfg = switch (variant) {
      case "qwen2-gqa" -> TestModels.micro();
      case "qwen2-mha" -> TestModels.micro().withShape(2, 32, 48, 2, 2);
      case "llama3-rope-scaling" -> TestModels.micro().withModelType(PolicyConfig.LLAMA)
          .withRopeScaling(new RopeScaling(RopeScaling.LLAMA3, 8, 1, 4, 16));
      default -> TestModels.micro().withModelType(PolicyConfig.LLAMA).withTiedEmbeddings(false)
          .withShape(1, 48, 40, 6, 2);
    };
    int[] seq = TestModels.tokens(variant.length(), 9);
    try (PolicyModel m = PolicyModel.random(cfg, 77, Device.cpu())) {
      float[][] got = DecoderModelTest.fullLogits(m.decoder(), seq);
      double[][] want = reference(cfg, m.toCheckpoint().tensors(), seq);
      for (int t = 0; t < seq.length; t++) {
        for (int v = 0; v < cfg.vocabSize(); v++) {
          double tol = 1e-4 * Math.max(1, Math.abs(want[t][v]));
          assertThat(Math.abs(got[t][v] - want[t][v])).as("position %d token %d", t, v)
              .isLessThanOrEqualTo(tol);
        }
      }
    }
  }

  static double[][] reference(PolicyConfig c, Map<String, TensorData> w, int[] ids) {
    int n = ids.length;
    int h = c.hiddenSize();
    int d = c.headDim();
    int hq = c.numAttentionHeads();
    int hkv = c.numKeyValueHeads();
    int groups = hq / hkv;
    double[][] x = new double[n][h];
    float[] emb = w.get("model.embed_tokens.weight").values();
    for (int t = 0; t < n; t++) {
      for (int i = 0; i < h; i++) {
        x[t][i] = emb[ids[t] * h + i];
      }
    }
    for (int l = 0; l < c.numHiddenLayers(); l++) {
      String p = "model.layers." + l + ".";
      double[][] q = new double[n][];
      double[][] k = new double[n][];
      double[][] v = new double[n][];
      for (int t = 0; t < n; t++) {
        double[] hn = rms(x[t], w.get(p + "input_layernorm.weight").values(), c.rmsNormEps());
        q[t] = rope(linear(w, p + "self_attn.q_proj", hn), hq, d, t, invFreq(c));
        k[t] = rope(linear(w, p + "self_attn.k_proj", hn), hkv, d, t, invFreq(c));
        v[t] = linear(w, p + "self_attn.v_proj", hn);
      }
      for (int t = 0; t < n; t++) {
        double[] attn = new double[hq * d];
        for (int head = 0; head < hq; head++) {
          int kvHead = head / groups; // repeat_kv: each KV head serves `groups` consecutive heads
          double[] scores = new double[t + 1];
          double max = Double.NEGATIVE_INFINITY;
          for (int s = 0; s <= t; s++) {
            double dot = 0;
            for (int i = 0; i < d; i++) {
              dot += q[t][head * d + i] * k[s][kvHead * d + i];
            }
            scores[s] = dot / Math.sqrt(d);
            max = Math.max(max, scores[s]);
          }
          double sum = 0;
          for (int s = 0; s <= t; s++) {
            scores[s] = Math.exp(scores[s] - max);
            sum += scores[s];
          }
          for (int s = 0; s <= t; s++) {
            for (int i = 0; i < d; i++) {
              attn[head * d + i] += scores[s] / sum * v[s][kvHead * d + i];
            }
          }
        }
        double[] o = linear(w, p + "self_attn.o_proj", attn);
        for (int i = 0; i < h; i++) {
          x[t][i] += o[i];
        }
        double[] hn = rms(x[t], w.get(p + "post_attention_layernorm.weight").values(),
            c.rmsNormEps());
        double[] gate = linear(w, p + "mlp.gate_proj", hn);
        double[] up = linear(w, p + "mlp.up_proj", hn);
        for (int i = 0; i < gate.length; i++) {
          gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        }
        double[] down = linear(w, p + "mlp.down_proj", gate);
        for (int i = 0; i < h; i++) {
          x[t][i] += down[i];
        }
      }
    }
    String head = c.tieWordEmbeddings() ? "model.embed_tokens" : "lm_head";
    double[][] logits = new double[n][];
    for (int t = 0; t < n; t++) {
      logits[t] = linear(w, head, rms(x[t], w.get("model.norm.weight").values(), c.rmsNormEps()));
    }
    return logits;
  }

  private static double[] rms(double[] x, float[] weight, double eps) {
    double ms = 0;
    for (double v : x) {
      ms += v * v;
    }
    ms /= x.length;
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      out[i] = weight[i] * x[i] / Math.sqrt(ms + eps);
    }
    return out;
  }

  /** y = W x + b with W stored [out, in] row-major, as HF's nn.Linear. */
  private static double[] linear(Map<String, TensorData> w, String prefix, double[] x) {
    TensorData weight = w.get(prefix + ".weight");
    TensorData bias = w.get(prefix + ".bias");
    int out = (int) weight.shape()[0];
    int in = (int) weight.shape()[1];
    float[] wv = weight.values();
    double[] y = new double[out];
    for (int o = 0; o < out; o++) {
      double s = bias == null ? 0 : bias.values()[o];
      for (int i = 0; i < in; i++) {
        s += wv[o * in + i] * x[i];
      }
      y[o] = s;
    }
    return y;
  }

  /** 1 / theta^(2i/d), then the config's rope scaling (tested on its own in PolicyConfigTest). */
  private static double[] invFreq(PolicyConfig c) {
    int half = c.headDim() / 2;
    float[] base = new float[half];
    for (int i = 0; i < half; i++) {
      base[i] = (float) (1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / c.headDim()));
    }
    float[] scaled = c.ropeScaling() == null ? base : c.ropeScaling().apply(base);
    double[] out = new double[half];
    for (int i = 0; i < half; i++) {
      out[i] = scaled[i];
    }
    return out;
  }

  /** HF apply_rotary_pos_emb on each head: x·cos + rotate_half(x)·sin, cos/sin of cat(f, f). */
  private static double[] rope(double[] x, int heads, int d, int pos, double[] invFreq) {
    int half = d / 2;
    double[] out = new double[x.length];
    for (int head = 0; head < heads; head++) {
      int o = head * d;
      for (int j = 0; j < d; j++) {
        int i = j % half;
        double angle = pos * invFreq[i];
        double rotated = j < half ? -x[o + j + half] : x[o + j - half];
        out[o + j] = x[o + j] * Math.cos(angle) + rotated * Math.sin(angle);
      }
    }
    return out;
  }
}
