package com.replaylake.policy;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import java.util.Locale;

/**
 * The DJL PyTorch engine as the policy uses it: offline (natives come from the {@code
 * pytorch-native-cpu} jar, never from the network), devices chosen by the caller, and gradient
 * recording switched off around inference.
 */
public final class PolicyRuntime {
  /** DJL system property that forbids downloads; set to true unless the caller set it. */
  public static final String OFFLINE_PROPERTY = "ai.djl.offline";

  private static final String ENGINE = "PyTorch";

  private PolicyRuntime() {}

  /** The PyTorch engine, loaded offline on first use. */
  public static synchronized Engine engine() {
    if (System.getProperty(OFFLINE_PROPERTY) == null) {
      System.setProperty(OFFLINE_PROPERTY, "true");
    }
    try {
      return Engine.getEngine(ENGINE);
    } catch (RuntimeException e) {
      throw PolicyErrors.io("load", "the DJL PyTorch engine (offline natives)", e);
    }
  }

  /** A new root manager of the PyTorch engine on {@code device}. */
  public static NDManager newManager(Device device) {
    return engine().newBaseManager(device);
  }

  /**
   * Parses a device: {@code cpu}, {@code gpu} (= {@code gpu:0}), {@code gpu:N} or {@code cuda:N}.
   * A GPU index is checked against the GPUs the engine sees.
   */
  public static Device device(String spec) {
    String s = spec == null ? "" : spec.trim().toLowerCase(Locale.ROOT);
    if (s.equals("cpu")) {
      return Device.cpu();
    }
    int index;
    if (s.equals("gpu") || s.equals("cuda")) {
      index = 0;
    } else if (s.startsWith("gpu:") || s.startsWith("cuda:")) {
      try {
        index = Integer.parseInt(s.substring(s.indexOf(':') + 1));
      } catch (NumberFormatException e) {
        throw PolicyErrors.badDevice(spec, "the GPU index is not a number");
      }
    } else {
      throw PolicyErrors.badDevice(spec, "use cpu, gpu, gpu:N or cuda:N");
    }
    int gpus = engine().getGpuCount();
    if (index < 0 || index >= gpus) {
      throw PolicyErrors.badDevice(
          spec, "the engine sees " + gpus + " GPU(s); on a CPU-only build use cpu");
    }
    return Device.gpu(index);
  }

  /**
   * Switches PyTorch's (thread-local) gradient recording off until closed, then restores it.
   * Sampling and evaluation scoring run inside one; the learner's differentiable scoring does not.
   */
  public static GradMode noGrad() {
    engine();
    boolean previous = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    return new GradMode(previous);
  }

  /** A scope of disabled gradient recording. */
  public static final class GradMode implements AutoCloseable {
    private final boolean previous;

    private GradMode(boolean previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      JniUtils.setGradMode(previous);
    }
  }
}
