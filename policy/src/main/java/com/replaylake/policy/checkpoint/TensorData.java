package com.replaylake.policy.checkpoint;

import java.util.Arrays;

/**
 * One named tensor held on the Java heap as float32 values (row-major), the unit that
 * safetensors files are read into and written from.
 *
 * @param name HF state-dict name
 * @param shape dimensions
 * @param values row-major values; length is the product of {@code shape}
 */
public record TensorData(String name, long[] shape, float[] values) {
  public TensorData {
    shape = shape.clone();
    long n = numel(shape);
    if (n != values.length) {
      throw new IllegalArgumentException(
          "Cannot make tensor '" + name + "': shape " + Arrays.toString(shape) + " has " + n
              + " elements but " + values.length + " values were given");
    }
  }

  /** Product of the dimensions. */
  public static long numel(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }
}
