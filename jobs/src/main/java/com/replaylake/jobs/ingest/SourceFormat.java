package com.replaylake.jobs.ingest;

import java.util.Locale;

/** The input formats {@code ingest --format} understands. */
public enum SourceFormat {
  /** GSM8K JSONL: {@code question}, {@code answer} ending in {@code #### N}. */
  GSM8K(true),
  /** MATH JSONL: {@code problem}, {@code solution}, {@code answer}, {@code subject}, {@code level}, {@code unique_id}. */
  MATH(true),
  /** Any JSONL, fields chosen by the mapping flags. */
  JSONL(true),
  /** Any Parquet, fields chosen by the mapping flags. */
  PARQUET(false),
  /** verl's RLVR Parquet: {@code data_source}, {@code prompt} chat list, {@code reward_model.ground_truth}, {@code extra_info}. */
  VERL(false);

  private final boolean lineOriented;

  SourceFormat(boolean lineOriented) {
    this.lineOriented = lineOriented;
  }

  public boolean lineOriented() {
    return lineOriented;
  }

  public String cliName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
