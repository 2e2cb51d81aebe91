package com.replaylake.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.replaylake.policy.PolicyErrors;

/**
 * Preallocated per-layer key and value buffers of shape [batch, kv_heads, capacity, head_dim],
 * filled slot by slot as a batch is decoded; all rows share one length (rows that started
 * shorter are left-padded and masked). Owns its native memory: close it, or let the manager it
 * was made in close it.
 */
public final class KvCache implements AutoCloseable {
  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private final int batch;
  private final int capacity;
  private int length;

  KvCache(NDManager parent, PolicyConfig config, int batch, int capacity, DataType dtype) {
    if (capacity <= 0 || batch <= 0) {
      throw PolicyErrors.badArgument(
          "KV cache size", batch + " x " + capacity, "batch and capacity must be positive");
    }
    this.manager = parent.newSubManager();
    this.batch = batch;
    this.capacity = capacity;
    int layers = config.numHiddenLayers();
    keys = new NDArray[layers];
    values = new NDArray[layers];
    Shape shape = new Shape(batch, config.numKeyValueHeads(), capacity, config.headDim());
    for (int l = 0; l < layers; l++) {
      keys[l] = manager.zeros(shape, dtype);
      values[l] = manager.zeros(shape, dtype);
    }
  }

  /** Filled slots (the same for every row). */
  public int length() {
    return length;
  }

  /** Slots available. */
  public int capacity() {
    return capacity;
  }

  /** Rows. */
  public int batch() {
    return batch;
  }

  void checkAppend(int steps, int rows) {
    if (rows != batch) {
      throw PolicyErrors.badArgument("batch size", rows, "the KV cache was made for " + batch);
    }
    if (length + steps > capacity) {
      throw PolicyErrors.badArgument(
          "KV cache length", length + steps, "it exceeds the capacity " + capacity);
    }
  }

  /** Writes [batch, kv_heads, steps, head_dim] at slots [length, length + steps). */
  void write(int layer, NDArray k, NDArray v) {
    long steps = k.getShape().get(2);
    NDIndex slots = new NDIndex(":, :, {}:{}", length, length + steps);
    keys[layer].set(slots, k);
    values[layer].set(slots, v);
  }

  /** Keys of slots [0, upTo) as a view attached to {@code scope}. */
  NDArray keys(int layer, int upTo, NDManager scope) {
    return keys[layer].get(scope, new NDIndex(":, :, :{}", upTo));
  }

  /** Values of slots [0, upTo) as a view attached to {@code scope}. */
  NDArray values(int layer, int upTo, NDManager scope) {
    return values[layer].get(scope, new NDIndex(":, :, :{}", upTo));
  }

  void advance(int steps) {
    length += steps;
  }

  @Override
  public void close() {
    manager.close();
  }
}
