package com.replaylake.policy.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.replaylake.policy.PolicyErrors;
import java.util.List;

/**
 * A padded batch of token sequences with its attention mask and HF-style position ids (the
 * index of each token among the real tokens of its row, so that left padding does not shift
 * rotary positions).
 *
 * @param batch rows
 * @param length padded length
 * @param ids row-major [batch, length] token ids (pads hold {@code padId})
 * @param positions row-major [batch, length] position ids (0 at pads before the first token)
 * @param mask row-major [batch, length], true for real tokens
 * @param offsets per row, the padded index of its first real token
 * @param lengths per row, the number of real tokens
 */
public record TokenBatch(
    int batch, int length, long[] ids, long[] positions, boolean[] mask, int[] offsets,
    int[] lengths) {

  /** Pads on the left: every row ends at the last column (what decoding needs). */
  public static TokenBatch leftPadded(List<int[]> sequences, int padId) {
    return pad(sequences, padId, true);
  }

  /** Pads on the right: every row starts at column 0. */
  public static TokenBatch rightPadded(List<int[]> sequences, int padId) {
    return pad(sequences, padId, false);
  }

  private static TokenBatch pad(List<int[]> sequences, int padId, boolean left) {
    if (sequences.isEmpty()) {
      throw PolicyErrors.badArgument("a token batch", "[]", "it needs at least one sequence");
    }
    int b = sequences.size();
    int len = 0;
    for (int i = 0; i < b; i++) {
      if (sequences.get(i).length == 0) {
        throw PolicyErrors.badArgument("sequence " + i, "[]", "it needs at least one token");
      }
      len = Math.max(len, sequences.get(i).length);
    }
    long[] ids = new long[b * len];
    long[] pos = new long[b * len];
    boolean[] mask = new boolean[b * len];
    int[] offsets = new int[b];
    int[] lengths = new int[b];
    for (int i = 0; i < b; i++) {
      int[] s = sequences.get(i);
      int off = left ? len - s.length : 0;
      offsets[i] = off;
      lengths[i] = s.length;
      for (int t = 0; t < len; t++) {
        int k = i * len + t;
        int j = t - off;
        boolean real = j >= 0 && j < s.length;
        ids[k] = real ? s[j] : padId;
        mask[k] = real;
        pos[k] = Math.max(0, Math.min(j, s.length - 1));
      }
    }
    return new TokenBatch(b, len, ids, pos, mask, offsets, lengths);
  }

  /** The ids as an int64 [batch, length] array in {@code m}. */
  public NDArray idsArray(NDManager m) {
    return m.create(ids, new Shape(batch, length));
  }

  /** The position ids as an int64 [batch, length] array in {@code m}. */
  public NDArray positionsArray(NDManager m) {
    return m.create(positions, new Shape(batch, length));
  }

  /** The mask as a boolean [batch, length] array in {@code m}. */
  public NDArray maskArray(NDManager m) {
    return m.create(mask, new Shape(batch, length));
  }
}
