package com.replaylake.policy;

import ai.djl.Device;
import com.replaylake.policy.model.PolicyConfig;
import java.util.SplittableRandom;

/** Small configurations and inputs shared by the tests. */
public final class TestModels {
  private TestModels() {}

  /** A very small Qwen2-shaped config: 2 layers, d=32, 4 query heads over 2 KV heads, weights
   * large enough (std 0.3) that logits are O(1) and a wrong mask or position shows. */
  public static PolicyConfig micro() {
    return PolicyConfig.tiny().withShape(2, 32, 64, 4, 2).withInitializerRange(0.3);
  }

  public static PolicyModel microPolicy(long seed) {
    return PolicyModel.random(micro(), seed, Device.cpu());
  }

  /** Random token ids in [0, 256). */
  public static int[] tokens(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = r.nextInt(256);
    }
    return t;
  }
}
