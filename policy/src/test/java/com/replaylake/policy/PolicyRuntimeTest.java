package com.replaylake.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.pytorch.jni.JniUtils;
import com.replaylake.policy.checkpoint.CheckpointSource;
import com.replaylake.policy.checkpoint.TensorDtype;
import com.replaylake.policy.model.TokenBatch;
import com.replaylake.policy.sampling.SampleResult;
import com.replaylake.policy.sampling.Sampler;
import com.replaylake.policy.sampling.SamplingParams;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PolicyRuntimeTest {
  @Test
  void engineIsOfflinePyTorch() {
    assertThat(PolicyRuntime.engine().getEngineName()).isEqualTo("PyTorch");
    assertThat(System.getProperty(PolicyRuntime.OFFLINE_PROPERTY)).isEqualTo("true");
  }

  @Test
  void devicesParseAndGpuIndicesAreChecked() {
    assertThat(PolicyRuntime.device("cpu")).isEqualTo(Device.cpu());
    assertThat(PolicyRuntime.device(" CPU ")).isEqualTo(Device.cpu());
    int gpus = PolicyRuntime.engine().getGpuCount();
    assertThatThrownBy(() -> PolicyRuntime.device("gpu:" + gpus))
        .isInstanceOf(PolicyException.class).hasMessageContaining("gpu:" + gpus)
        .hasMessageContaining(gpus + " GPU");
    assertThatThrownBy(() -> PolicyRuntime.device("tpu"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("cpu, gpu, gpu:N");
    assertThatThrownBy(() -> PolicyRuntime.device("cuda:x"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("not a number");
    if (gpus > 0) {
      assertThat(PolicyRuntime.device("cuda:0")).isEqualTo(Device.gpu(0));
    }
  }

  @Test
  @SuppressWarnings("try")
  void noGradRestoresThePreviousMode() {
    PolicyRuntime.engine();
    boolean before = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
    try (PolicyRuntime.GradMode g = PolicyRuntime.noGrad()) {
      assertThat(JniUtils.isGradMode()).isFalse();
    }
    assertThat(JniUtils.isGradMode()).isTrue();
    JniUtils.setGradMode(before);
  }

  @Test
  void halfPrecisionComputeTracksFp32AndBf16IsRefusedCleanly(@TempDir Path dir) {
    int[] seq = TestModels.tokens(9, 10);
    try (PolicyModel m = TestModels.microPolicy(3)) {
      m.save(dir, TensorDtype.BF16);
    }
    assertThatThrownBy(() -> PolicyModel.load(CheckpointSource.directory(dir), Device.cpu(),
        DataType.BFLOAT16)).isInstanceOf(PolicyException.class)
        .hasMessageContaining("bfloat16").hasMessageContaining("FLOAT16");
    try (PolicyModel f32 = PolicyModel.load(dir, Device.cpu());
        PolicyModel f16 = PolicyModel.load(CheckpointSource.directory(dir), Device.cpu(),
            DataType.FLOAT16);
        NDManager s = PolicyRuntime.newManager(Device.cpu())) {
      assertThat(f16.decoder().parameters().values())
          .allMatch(p -> p.getDataType() == DataType.FLOAT16);
      TokenBatch b = TokenBatch.rightPadded(List.of(seq), 0);
      NDArray a = f32.decoder().forward(s, b);
      NDArray c = f16.decoder().forward(s, b);
      assertThat(c.getDataType()).isEqualTo(DataType.FLOAT32);
      float scale = a.abs().max().getFloat();
      float diff = a.sub(c).abs().max().getFloat();
      assertThat(diff).isGreaterThan(0f).isLessThan(0.02f * Math.max(1f, scale));

      // Left padding in half precision: fully masked pad rows must not poison other rows.
      Sampler sampler = new Sampler(f16);
      List<SampleResult> out = sampler.sample(List.of(seq, new int[] {5}),
          SamplingParams.of(1.0, 0, 1.0, 6, List.of()), new long[] {1, 2});
      for (SampleResult r : out) {
        for (float lp : r.logprobs()) {
          assertThat(lp).isFinite();
        }
      }
    }
  }
}
