package com.replaylake.jobs.ingest;

import java.util.List;

/**
 * Which source fields feed which prompt columns, for the generic {@code jsonl} and {@code parquet}
 * formats. Field names may be dotted paths into nested objects ({@code reward_model.ground_truth}).
 *
 * @param promptField field with the prompt text (default {@code prompt})
 * @param answerField field with the gold answer (default {@code answer})
 * @param idField field with the source id, or null to use the line/row number
 * @param referenceField field with a demonstration response, or null
 * @param metadataFields fields copied into {@code metadata} as strings
 * @param splitField field with each record's split, or null (then --split, or the file name, gives it)
 */
public record FieldMapping(String promptField, String answerField, String idField, String referenceField,
    List<String> metadataFields, String splitField) {

  public static final String DEFAULT_PROMPT_FIELD = "prompt";
  public static final String DEFAULT_ANSWER_FIELD = "answer";

  public FieldMapping {
    promptField = promptField == null ? DEFAULT_PROMPT_FIELD : promptField;
    answerField = answerField == null ? DEFAULT_ANSWER_FIELD : answerField;
    metadataFields = metadataFields == null ? List.of() : List.copyOf(metadataFields);
  }

  public FieldMapping(String promptField, String answerField, String idField, String referenceField,
      List<String> metadataFields) {
    this(promptField, answerField, idField, referenceField, metadataFields, null);
  }

  public static FieldMapping defaults() {
    return new FieldMapping(null, null, null, null, null);
  }
}
