package com.replaylake.policy.learn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replaylake.policy.PolicyErrors;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.checkpoint.CheckpointSink;
import com.replaylake.policy.checkpoint.CheckpointSource;
import com.replaylake.policy.checkpoint.SafetensorsReader;
import com.replaylake.policy.checkpoint.SafetensorsWriter;
import com.replaylake.policy.checkpoint.TensorData;
import com.replaylake.policy.checkpoint.TensorDtype;
import com.replaylake.policy.model.DecoderModel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW (decoupled weight decay, PyTorch's update formula) over live float32 parameters, written
 * on NDArrays, with linear warmup then a constant or cosine learning rate, global gradient-norm
 * clipping and a finite-gradient guard.
 *
 * <p>One {@link #update} with gradients g (applied update index t = 1, 2, ...):
 *
 * <pre>
 *   norm = ‖g‖₂ over all parameters; if norm is NaN/∞: skip (nothing changes, t not advanced)
 *   g ← g · min(1, clip / (norm + 1e-6))                 (clip = 0: no clipping)
 *   lr_t = lr · t / warmup for t ≤ warmup, then lr (constant) or
 *          lr · (r + (1 − r)·½(1 + cos(π·(t − warmup)/(total − warmup)))) (cosine, floor r)
 *   m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 *   θ ← θ·(1 − lr_t·wd)                                   (only tensors with ≥ 2 dims)
 *   θ ← θ − (lr_t / (1 − β1^t)) · m / (√v / √(1 − β2^t) + eps)
 * </pre>
 *
 * <p>Biases and RMSNorm weights (1-D) are not decayed, as in the usual HF/PyTorch recipe. State
 * (m, v, t) is saved to {@code optimizer.safetensors} (F32, tensors {@code exp_avg.NAME} and
 * {@code exp_avg_sq.NAME}) plus {@code optimizer.json} (t and skipped updates), so a restarted
 * learner continues with bit-identical updates.
 */
public final class AdamW implements AutoCloseable {
  /** State file of the moments. */
  public static final String STATE_FILE = "optimizer.safetensors";
  /** State file of the counters. */
  public static final String META_FILE = "optimizer.json";
  private static final String FORMAT = "replaylake-adamw-v1";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What one {@link #update} did. */
  public record Update(boolean applied, double gradNorm, double learningRate, long step) {}

  private final Map<String, NDArray> params;
  private final LearnerConfig config;
  private final NDManager manager;
  private final Map<String, NDArray> expAvg = new LinkedHashMap<>();
  private final Map<String, NDArray> expAvgSq = new LinkedHashMap<>();
  private long step;
  private long skipped;

  /** An optimizer over every parameter of {@code model} (which must be float32). */
  public AdamW(DecoderModel model, LearnerConfig config) {
    this(model.parameters(), model.device(), config);
  }

  /** An optimizer over {@code params} (live float32 arrays on {@code device}, updated in place). */
  public AdamW(Map<String, NDArray> params, Device device, LearnerConfig config) {
    this.params = params;
    this.config = config;
    this.manager = PolicyRuntime.newManager(device);
    try (PolicyRuntime.GradMode g = PolicyRuntime.noGrad()) {
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        if (e.getValue().getDataType() != DataType.FLOAT32) {
          manager.close();
          throw PolicyErrors.badArgument("parameter dtype of " + e.getKey(),
              e.getValue().getDataType(), "the learner trains float32 parameters only");
        }
        expAvg.put(e.getKey(), manager.zeros(e.getValue().getShape(), DataType.FLOAT32));
        expAvgSq.put(e.getKey(), manager.zeros(e.getValue().getShape(), DataType.FLOAT32));
      }
    }
  }

  /** Updates applied so far (t of the last applied update). */
  public long step() {
    return step;
  }

  /** Updates skipped because of non-finite gradients. */
  public long skippedUpdates() {
    return skipped;
  }

  /** The learning rate of applied update number {@code t} (1-based). */
  public double learningRate(long t) {
    double lr = config.learningRate();
    int warmup = config.warmupSteps();
    if (t <= warmup) {
      return lr * t / warmup;
    }
    if (config.lrSchedule() == LearnerConfig.LrSchedule.CONSTANT) {
      return lr;
    }
    double progress = Math.min(1.0, (double) (t - warmup) / (config.totalSteps() - warmup));
    double r = config.minLrRatio();
    return lr * (r + (1 - r) * 0.5 * (1 + Math.cos(Math.PI * progress)));
  }

  /**
   * One update from {@code grads} (same names as the parameters; arrays are only read). Returns
   * the pre-clip global gradient norm; with a non-finite norm nothing is changed.
   */
  public Update update(Map<String, NDArray> grads) {
    try (PolicyRuntime.GradMode g = PolicyRuntime.noGrad();
        NDManager scope = manager.newSubManager()) {
      NDArray sq = null;
      for (String name : params.keySet()) {
        NDArray gr = grads.get(name);
        if (gr == null) {
          throw PolicyErrors.badArgument("gradient of " + name, "missing",
              "every parameter needs a gradient");
        }
        try (NDManager ps = scope.newSubManager()) {
          NDArray squares = gr.square();
          squares.attach(ps);
          NDArray s = squares.sum();
          s.attach(scope);
          sq = sq == null ? s : sq.add(s);
          sq.attach(scope);
        }
      }
      double norm = Math.sqrt(sq == null ? 0 : sq.getFloat());
      if (!Double.isFinite(norm)) {
        skipped++;
        return new Update(false, norm, learningRate(step + 1), step);
      }
      step++;
      double lr = learningRate(step);
      double clip = config.gradClip();
      double coef = clip > 0 && norm > clip ? clip / (norm + 1e-6) : 1.0;
      float b1 = (float) config.adamBeta1();
      float b2 = (float) config.adamBeta2();
      double bc1 = 1 - Math.pow(config.adamBeta1(), step);
      double sqrtBc2 = Math.sqrt(1 - Math.pow(config.adamBeta2(), step));
      float decay = (float) (1 - lr * config.weightDecay());
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        NDArray p = e.getValue();
        NDArray m = expAvg.get(e.getKey());
        NDArray v = expAvgSq.get(e.getKey());
        NDArray gr = grads.get(e.getKey());
        // temporaries of one parameter live in ps and are freed before the next parameter
        try (NDManager ps = scope.newSubManager()) {
          NDArray gc = gr.mul((float) (coef * (1 - config.adamBeta1())));
          gc.attach(ps);
          m.muli(b1).addi(gc);
          NDArray g2 = gr.square();
          g2.attach(ps);
          v.muli(b2).addi(g2.muli((float) (coef * coef * (1 - config.adamBeta2()))));
          if (config.weightDecay() > 0 && p.getShape().dimension() >= 2) {
            p.muli(decay);
          }
          NDArray denom = v.sqrt();
          denom.attach(ps);
          denom.divi((float) sqrtBc2).addi((float) config.adamEps());
          NDArray upd = m.div(denom);
          upd.attach(ps);
          p.subi(upd.muli((float) (lr / bc1)));
        }
      }
      return new Update(true, norm, lr, step);
    }
  }

  /** Writes {@link #STATE_FILE} and {@link #META_FILE} to {@code sink}. */
  public void save(CheckpointSink sink) {
    List<TensorData> tensors = new ArrayList<>();
    for (String name : params.keySet()) {
      NDArray m = expAvg.get(name);
      tensors.add(new TensorData("exp_avg." + name, m.getShape().getShape(), m.toFloatArray()));
      NDArray v = expAvgSq.get(name);
      tensors.add(
          new TensorData("exp_avg_sq." + name, v.getShape().getShape(), v.toFloatArray()));
    }
    try (OutputStream out = sink.create(STATE_FILE)) {
      SafetensorsWriter.write(out, tensors, TensorDtype.F32, Map.of("step", Long.toString(step)));
    } catch (IOException e) {
      throw PolicyErrors.io("write", STATE_FILE + " in " + sink.describe(), e);
    }
    ObjectNode meta = JSON.createObjectNode();
    meta.put("format", FORMAT);
    meta.put("step", step);
    meta.put("skipped_updates", skipped);
    try (OutputStream out = sink.create(META_FILE)) {
      out.write(JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(meta));
    } catch (IOException e) {
      throw PolicyErrors.io("write", META_FILE + " in " + sink.describe(), e);
    }
  }

  /**
   * Replaces the state with the one saved in {@code source}; every parameter's moments must be
   * there with its shape (a checkpoint of another architecture fails naming the tensor).
   */
  public void load(CheckpointSource source) {
    String where = source.describe();
    JsonNode meta;
    try (InputStream in = source.open(META_FILE)) {
      meta = JSON.readTree(in);
    } catch (IOException e) {
      throw PolicyErrors.io("read", META_FILE + " in " + where, e);
    }
    if (meta == null || !FORMAT.equals(meta.path("format").asText())
        || !meta.path("step").canConvertToLong()) {
      throw PolicyErrors.badArgument(META_FILE + " in " + where, meta,
          "expected {\"format\": \"" + FORMAT + "\", \"step\": N}");
    }
    Map<String, TensorData> read = new HashMap<>();
    try (InputStream in = source.open(STATE_FILE)) {
      SafetensorsReader.read(in, STATE_FILE + " in " + where, t -> read.put(t.name(), t));
    } catch (IOException e) {
      throw PolicyErrors.io("read", STATE_FILE + " in " + where, e);
    }
    Map<String, NDArray> m = new LinkedHashMap<>();
    Map<String, NDArray> v = new LinkedHashMap<>();
    try (PolicyRuntime.GradMode g = PolicyRuntime.noGrad()) {
      for (Map.Entry<String, NDArray> e : params.entrySet()) {
        m.put(e.getKey(), moment(read, "exp_avg." + e.getKey(), e.getValue(), where));
        v.put(e.getKey(), moment(read, "exp_avg_sq." + e.getKey(), e.getValue(), where));
      }
    } catch (RuntimeException e) {
      m.values().forEach(NDArray::close);
      v.values().forEach(NDArray::close);
      throw e;
    }
    if (read.size() != 2 * params.size()) {
      m.values().forEach(NDArray::close);
      v.values().forEach(NDArray::close);
      throw PolicyErrors.unexpectedTensors(STATE_FILE + " in " + where,
          read.keySet().stream().filter(k -> !m.containsKey(k.substring(k.indexOf('.') + 1)))
              .toList());
    }
    expAvg.values().forEach(NDArray::close);
    expAvgSq.values().forEach(NDArray::close);
    expAvg.putAll(m);
    expAvgSq.putAll(v);
    step = meta.get("step").asLong();
    skipped = meta.path("skipped_updates").asLong(0);
  }

  private NDArray moment(Map<String, TensorData> read, String name, NDArray param, String where) {
    TensorData t = read.get(name);
    if (t == null) {
      throw PolicyErrors.missingTensor(STATE_FILE + " in " + where, name);
    }
    long[] expected = param.getShape().getShape();
    if (!Arrays.equals(t.shape(), expected)) {
      throw PolicyErrors.wrongShape(STATE_FILE + " in " + where, name, t.shape(), expected);
    }
    return manager.create(t.values(), new Shape(expected));
  }

  @Override
  public void close() {
    manager.close();
  }
}
