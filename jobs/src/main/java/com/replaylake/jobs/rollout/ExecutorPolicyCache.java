package com.replaylake.jobs.rollout;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.replaylake.jobs.policy.HadoopCheckpoints;
import com.replaylake.policy.PolicyModel;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.hadoop.conf.Configuration;

/**
 * One policy per executor JVM, loaded once per (checkpoint URI, device) and reused by every task
 * and step until another checkpoint is asked for; the previous one is then closed, so memory holds
 * one policy at a time. Loads are counted per JVM (and reported through an accumulator).
 */
public final class ExecutorPolicyCache {
  private ExecutorPolicyCache() {}

  private static String key;
  private static PolicyModel cached;
  private static final AtomicLong LOADS = new AtomicLong();

  /** Result of {@link #get}: the model and whether this call loaded it. */
  public record Lease(PolicyModel model, boolean loaded) {}

  public static synchronized Lease get(String checkpointUri, Device device, Configuration conf) {
    String k = checkpointUri + "@" + device;
    if (cached != null && k.equals(key)) {
      return new Lease(cached, false);
    }
    if (cached != null) {
      cached.close();
      cached = null;
      key = null;
    }
    DataType dtype = device.isGpu() ? DataType.BFLOAT16 : DataType.FLOAT32;
    cached = PolicyModel.load(HadoopCheckpoints.source(checkpointUri, conf), device, dtype);
    key = k;
    LOADS.incrementAndGet();
    return new Lease(cached, true);
  }

  /** Loads performed by this JVM since it started. */
  public static long loads() {
    return LOADS.get();
  }
}
