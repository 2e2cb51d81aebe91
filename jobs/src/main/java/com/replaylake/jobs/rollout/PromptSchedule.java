package com.replaylake.jobs.rollout;

import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Which prompts a rollout step takes: a pure function of (seed, step). Epoch e is a shuffle of the
 * sorted prompt ids seeded by (seed, e); the run reads the concatenation of epochs in order, step s
 * taking positions [s * n, (s + 1) * n). A run resumed at step s therefore takes exactly the prompts
 * an uninterrupted run would have: none skipped, none repeated.
 */
public final class PromptSchedule {

  private final List<String> sortedIds;
  private final long seed;

  public PromptSchedule(List<String> promptIds, long seed) {
    List<String> ids = new ArrayList<>(promptIds);
    ids.sort(null);
    this.sortedIds = List.copyOf(ids);
    this.seed = seed;
  }

  public int size() {
    return sortedIds.size();
  }

  /** The prompt ids of epoch {@code epoch}, in the order the run takes them. */
  public List<String> epochOrder(long epoch) {
    List<String> order = new ArrayList<>(sortedIds);
    SplittableRandom random = new SplittableRandom(Seeds.mix(seed, epoch, "epoch", 0));
    for (int i = order.size() - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      String t = order.get(i);
      order.set(i, order.get(j));
      order.set(j, t);
    }
    return order;
  }

  /** Epoch of the first prompt of a step. */
  public long epochOf(long step, int perStep) {
    return step * perStep / sortedIds.size();
  }

  public List<String> promptsForStep(long step, int perStep) {
    if (perStep < 1 || perStep > sortedIds.size()) {
      throw new IllegalArgumentException("prompts per step must be in [1, " + sortedIds.size() + "], got " + perStep);
    }
    List<String> out = new ArrayList<>(perStep);
    long position = step * perStep;
    long epoch = -1;
    List<String> order = null;
    for (int i = 0; i < perStep; i++, position++) {
      long e = position / sortedIds.size();
      if (e != epoch) {
        epoch = e;
        order = epochOrder(e);
      }
      out.add(order.get((int) (position % sortedIds.size())));
    }
    return out;
  }

  /** Seeds derived by hashing, stable across JVMs and Java versions. */
  public static final class Seeds {
    private Seeds() {}

    /** A 64-bit seed from (run seed, step, prompt id, sample index). */
    public static long mix(long seed, long step, String promptId, int sampleIndex) {
      try {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteBuffer buf = ByteBuffer.allocate(20);
        buf.putLong(seed).putLong(step).putInt(sampleIndex);
        sha.update(buf.array());
        sha.update(promptId.getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(sha.digest()).getLong();
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
