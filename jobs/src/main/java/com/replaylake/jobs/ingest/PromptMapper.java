package com.replaylake.jobs.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns one raw source record into a {@link PromptRecord}, per {@link SourceFormat}. Every
 * failure names the file, the line (or row) and the field.
 */
public final class PromptMapper {

  private static final Pattern CALCULATOR_NOTE = Pattern.compile("<<[^<>]*>>");
  private static final Pattern GSM8K_GOLD = Pattern.compile("-?[0-9][0-9,]*(\\.[0-9]+)?");

  private final SourceFormat format;
  private final String dataset;
  private final String split;
  private final FieldMapping mapping;

  /**
   * @param dataset dataset name; for {@code verl} may be null (then each row's data_source)
   * @param split split name; for {@code verl} may be null (then extra_info.split, else train)
   */
  public PromptMapper(SourceFormat format, String dataset, String split, FieldMapping mapping) {
    this.format = format;
    this.dataset = dataset;
    this.split = split;
    this.mapping = mapping == null ? FieldMapping.defaults() : mapping;
  }

  public PromptRecord map(RecordLocation at, JsonNode record) {
    return switch (format) {
      case GSM8K -> gsm8k(at, record);
      case MATH -> math(at, record);
      case JSONL, PARQUET -> generic(at, record);
      case VERL -> verl(at, record);
    };
  }

  private PromptRecord gsm8k(RecordLocation at, JsonNode r) {
    String question = requiredText(at, r, "question");
    String answer = requiredText(at, r, "answer");
    int mark = answer.lastIndexOf("####");
    if (mark < 0) {
      throw at.error("answer", "no '#### <answer>' line");
    }
    String gold = answer.substring(mark + 4).strip().replace(",", "");
    if (!GSM8K_GOLD.matcher(gold).matches()) {
      throw at.error("answer", "the text after #### is not a number: '" + abbreviate(gold) + "'");
    }
    String reference = CALCULATOR_NOTE.matcher(answer).replaceAll("");
    return new PromptRecord(dataset, split, split + "-" + at.index(), question, gold, reference, Map.of(), at.toString());
  }

  private PromptRecord math(RecordLocation at, JsonNode r) {
    String problem = requiredText(at, r, "problem");
    String answer = requiredText(at, r, "answer").strip();
    if (answer.isEmpty()) {
      throw at.error("answer", "is empty");
    }
    String solution = optionalText(at, r, "solution");
    Map<String, String> metadata = new LinkedHashMap<>();
    for (String key : new String[] {"subject", "level", "unique_id"}) {
      String value = optionalScalar(at, r, key);
      if (value != null) {
        metadata.put(key, value);
      }
    }
    String uniqueId = metadata.get("unique_id");
    String sourceId = uniqueId != null ? uniqueId : split + "-" + at.index();
    return new PromptRecord(dataset, split, sourceId, problem, answer, solution, metadata, at.toString());
  }

  private PromptRecord generic(RecordLocation at, JsonNode r) {
    String prompt = requiredText(at, r, mapping.promptField());
    String gold = requiredScalar(at, r, mapping.answerField()).strip();
    if (gold.isEmpty()) {
      throw at.error(mapping.answerField(), "is empty");
    }
    String rowSplit = split;
    if (mapping.splitField() != null) {
      JsonNode value = path(r, mapping.splitField());
      if (value != null && !value.isNull()) {
        rowSplit = requiredScalar(at, r, mapping.splitField()).strip();
        if (!rowSplit.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
          throw at.error(mapping.splitField(), "split '" + rowSplit + "' must use letters, digits, '_', '-' or '.'");
        }
      }
    }
    String sourceId = mapping.idField() == null ? rowSplit + "-" + at.index() : requiredScalar(at, r, mapping.idField());
    String reference = mapping.referenceField() == null ? null : optionalText(at, r, mapping.referenceField());
    Map<String, String> metadata = new LinkedHashMap<>();
    for (String field : mapping.metadataFields()) {
      JsonNode value = path(r, field);
      if (value != null && !value.isNull()) {
        metadata.put(field, value.isValueNode() ? value.asText() : value.toString());
      }
    }
    return new PromptRecord(dataset, rowSplit, sourceId, prompt, gold, reference, metadata, at.toString());
  }

  private PromptRecord verl(RecordLocation at, JsonNode r) {
    String dataSource = requiredScalar(at, r, "data_source");
    JsonNode chat = r.get("prompt");
    if (chat == null || chat.isNull()) {
      throw at.error("prompt", "is missing");
    }
    if (!chat.isArray() || chat.isEmpty()) {
      throw at.error("prompt", "expected a non-empty list of {role, content} messages");
    }
    String userText = null;
    for (JsonNode message : chat) {
      if (!message.isObject() || !message.path("content").isTextual()) {
        throw at.error("prompt", "every message needs a string content");
      }
      if ("user".equals(message.path("role").asText())) {
        userText = message.get("content").asText();
      }
    }
    if (userText == null) {
      throw at.error("prompt", "no message with role 'user'");
    }
    JsonNode truth = path(r, "reward_model.ground_truth");
    if (truth == null || truth.isNull()) {
      throw at.error("reward_model.ground_truth", "is missing");
    }
    String gold = (truth.isValueNode() ? truth.asText() : truth.toString()).strip();
    if (gold.isEmpty()) {
      throw at.error("reward_model.ground_truth", "is empty");
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("data_source", dataSource);
    putScalar(metadata, "ability", r.get("ability"));
    putScalar(metadata, "reward_style", path(r, "reward_model.style"));
    if (chat.size() > 1) {
      metadata.put("chat", chat.toString());
    }
    JsonNode extra = r.get("extra_info");
    String rowSplit = split;
    String sourceId = null;
    if (extra != null && extra.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = extra.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (!e.getValue().isNull()) {
          metadata.put("extra_info." + e.getKey(), e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString());
        }
      }
      if (rowSplit == null && extra.path("split").isValueNode() && !extra.path("split").isNull()) {
        rowSplit = extra.get("split").asText();
      }
      if (extra.path("index").isValueNode() && !extra.path("index").isNull()) {
        sourceId = extra.get("index").asText();
      }
    }
    rowSplit = rowSplit == null ? "train" : rowSplit;
    String rowDataset = dataset != null ? dataset : dataSource;
    if (sourceId == null) {
      sourceId = rowSplit + "-" + at.index();
    } else if (dataset != null && !dataset.equals(dataSource)) {
      sourceId = dataSource + "/" + sourceId;
    }
    return new PromptRecord(rowDataset, rowSplit, sourceId, userText, gold, null, metadata, at.toString());
  }

  private static void putScalar(Map<String, String> metadata, String key, JsonNode value) {
    if (value != null && value.isValueNode() && !value.isNull()) {
      metadata.put(key, value.asText());
    }
  }

  /** Follows a dotted path; null when any step is absent. */
  static JsonNode path(JsonNode r, String dotted) {
    JsonNode node = r.get(dotted);
    if (node != null) {
      return node;
    }
    node = r;
    for (String part : dotted.split("\\.")) {
      if (node == null || !node.isObject()) {
        return null;
      }
      node = node.get(part);
    }
    return node;
  }

  private static String requiredText(RecordLocation at, JsonNode r, String field) {
    JsonNode node = path(r, field);
    if (node == null || node.isNull()) {
      throw at.error(field, "is missing");
    }
    if (!node.isTextual()) {
      throw at.error(field, "expected a string, found " + node.getNodeType().name().toLowerCase());
    }
    if (node.asText().isBlank()) {
      throw at.error(field, "is empty");
    }
    return node.asText();
  }

  private static String requiredScalar(RecordLocation at, JsonNode r, String field) {
    JsonNode node = path(r, field);
    if (node == null || node.isNull()) {
      throw at.error(field, "is missing");
    }
    if (!node.isValueNode()) {
      throw at.error(field, "expected a string or number, found " + node.getNodeType().name().toLowerCase());
    }
    return node.asText();
  }

  private static String optionalText(RecordLocation at, JsonNode r, String field) {
    JsonNode node = path(r, field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw at.error(field, "expected a string, found " + node.getNodeType().name().toLowerCase());
    }
    return node.asText();
  }

  private static String optionalScalar(RecordLocation at, JsonNode r, String field) {
    JsonNode node = path(r, field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isValueNode()) {
      throw at.error(field, "expected a string or number, found " + node.getNodeType().name().toLowerCase());
    }
    return node.asText();
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 37) + "...";
  }
}
