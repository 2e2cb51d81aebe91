package com.replaylake.udfs.verify;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded, thread-safe cache of parsed gold answers, shared by all verifiers of a JVM (one per
 * Spark executor). Every sample of a rollout group carries the same gold answer, so a hit saves
 * the normalize-and-parse of the gold on all but the first sample. When the cache is full (by
 * entries, or by {@link #MAX_TOTAL_CHARS} characters of keys) it is cleared: cheap, lock-free and
 * bounded. Golds longer than {@link #MAX_KEY_CHARS} are not cached. Entries are immutable.
 */
final class GoldCache {
  static final GoldCache SHARED = new GoldCache();

  /** Longest gold string that is cached. */
  static final int MAX_KEY_CHARS = 1024;
  /** Bound on the summed length of cached gold strings (keeps memory to tens of MB). */
  static final long MAX_TOTAL_CHARS = 4L << 20;

  private final ConcurrentHashMap<String, AnswerParser.Parsed> map = new ConcurrentHashMap<>();
  private final AtomicLong totalChars = new AtomicLong();
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();

  AnswerParser.Parsed get(String gold) {
    AnswerParser.Parsed p = map.get(gold);
    if (p != null) {
      hits.increment();
    } else {
      misses.increment();
    }
    return p;
  }

  void put(String gold, AnswerParser.Parsed parsed, int capacity) {
    if (capacity <= 0 || gold.length() > MAX_KEY_CHARS) {
      return;
    }
    if (map.size() >= capacity || totalChars.get() + gold.length() > MAX_TOTAL_CHARS) {
      clear();
    }
    if (map.putIfAbsent(gold, parsed) == null) {
      totalChars.addAndGet(gold.length());
    }
  }

  int size() {
    return map.size();
  }

  long hits() {
    return hits.sum();
  }

  long misses() {
    return misses.sum();
  }

  void clear() {
    map.clear();
    totalChars.set(0);
  }

  long totalChars() {
    return totalChars.get();
  }
}
