package com.replaylake.udfs.verify;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * A bounded, thread-safe cache of parsed gold answers, shared by all verifiers of a JVM (one per
 * Spark executor). Every sample of a rollout group carries the same gold answer, so a hit saves
 * the normalize-and-parse of the gold on all but the first sample. When the cache is full it is
 * cleared (cheap, lock-free, and bounded); entries are immutable.
 */
final class GoldCache {
  static final GoldCache SHARED = new GoldCache();

  private final ConcurrentHashMap<String, AnswerParser.Parsed> map = new ConcurrentHashMap<>();
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
    if (capacity <= 0 || gold.length() > 4096) {
      return;
    }
    if (map.size() >= capacity) {
      map.clear();
    }
    map.put(gold, parsed);
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
  }
}
