package com.replaylake.udfs.verify;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded, thread-safe cache of parsed gold answers, shared by all verifiers of a JVM (one per
 * Spark executor). Every sample of a rollout group carries the same gold answer, so a hit saves
 * the normalize-and-parse of the gold on all but the first sample. When the cache is full it is
 * cleared (cheap, lock-free, and bounded); entries are immutable.
 */
final class GoldCache {
  static final GoldCache SHARED = new GoldCache();

  private final ConcurrentHashMap<String, AnswerParser.Parsed> map = new ConcurrentHashMap<>();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  AnswerParser.Parsed get(String gold) {
    AnswerParser.Parsed p = map.get(gold);
    if (p != null) {
      hits.incrementAndGet();
    } else {
      misses.incrementAndGet();
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
    return hits.get();
  }

  long misses() {
    return misses.get();
  }

  void clear() {
    map.clear();
  }
}
