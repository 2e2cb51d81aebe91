package com.replaylake.jobs.ingest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * One prompt parsed from a source file, before it becomes a {@code prompts} row.
 *
 * @param location where it came from, for error messages and duplicate reports
 */
public record PromptRecord(
    String dataset,
    String split,
    String sourceId,
    String prompt,
    String goldAnswer,
    String referenceResponse,
    Map<String, String> metadata,
    String location) {

  public PromptRecord {
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(split, "split");
    Objects.requireNonNull(sourceId, "sourceId");
    Objects.requireNonNull(prompt, "prompt");
    Objects.requireNonNull(goldAnswer, "goldAnswer");
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  public String promptId() {
    return promptId(dataset, sourceId);
  }

  /** First 16 hex digits of SHA-256(dataset, NUL, source id): stable across re-ingests. */
  public static String promptId(String dataset, String sourceId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(dataset.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(sourceId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
