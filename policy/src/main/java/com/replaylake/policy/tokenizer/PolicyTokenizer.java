package com.replaylake.policy.tokenizer;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replaylake.policy.PolicyErrors;
import com.replaylake.policy.PolicyRuntime;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A Hugging Face tokenizer ({@code tokenizer.json}, run by DJL's native tokenizers binding) with
 * what {@code tokenizer_config.json} adds: special tokens and the chat template. Keeps the two
 * files' text so a checkpoint is saved back unchanged. Holds native memory: close it.
 */
public final class PolicyTokenizer implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> OPTIONS = Map.of(
      "addSpecialTokens", "false",
      "truncation", "false",
      "padding", "false",
      "modelMaxLength", String.valueOf(Integer.MAX_VALUE));

  private final HuggingFaceTokenizer tokenizer;
  private final String tokenizerJson;
  private final String tokenizerConfigJson;
  private final String eosToken;
  private final String bosToken;
  private final String padToken;
  private final ChatTemplate chatTemplate;

  private PolicyTokenizer(
      HuggingFaceTokenizer tokenizer, String tokenizerJson, String tokenizerConfigJson,
      String source) {
    this.tokenizer = tokenizer;
    this.tokenizerJson = tokenizerJson;
    this.tokenizerConfigJson = tokenizerConfigJson;
    JsonNode cfg = JSON.createObjectNode();
    if (tokenizerConfigJson != null) {
      try {
        cfg = JSON.readTree(tokenizerConfigJson);
      } catch (IOException e) {
        throw PolicyErrors.badTokenizer(source + "/tokenizer_config.json", "not JSON", e);
      }
    }
    this.eosToken = tokenText(cfg.get("eos_token"));
    this.bosToken = tokenText(cfg.get("bos_token"));
    this.padToken = tokenText(cfg.get("pad_token"));
    String template = templateText(cfg.get("chat_template"));
    this.chatTemplate = template == null
        ? null : new ChatTemplate(template, bosToken, eosToken, source + "/tokenizer_config.json");
  }

  /** The project's byte-level tokenizer with the ChatML template. */
  public static PolicyTokenizer byteLevel(int modelMaxLength) {
    return byteLevel(modelMaxLength, true);
  }

  /**
   * The project's byte-level tokenizer; {@code chat} selects the ChatML template (eos
   * {@code <|im_end|>}), otherwise a base-model tokenizer without template (eos {@code
   * <|endoftext|>}).
   */
  public static PolicyTokenizer byteLevel(int modelMaxLength, boolean chat) {
    return fromJson(ByteLevelTokenizer.tokenizerJson(),
        ByteLevelTokenizer.tokenizerConfigJson(modelMaxLength, chat), "(built-in byte-level)");
  }

  /**
   * Loads from the text of {@code tokenizer.json} and (nullable) {@code tokenizer_config.json}.
   */
  public static PolicyTokenizer fromJson(
      String tokenizerJson, String tokenizerConfigJson, String source) {
    PolicyRuntime.engine();
    HuggingFaceTokenizer hf;
    try {
      hf = HuggingFaceTokenizer.newInstance(
          new ByteArrayInputStream(tokenizerJson.getBytes(StandardCharsets.UTF_8)), OPTIONS);
    } catch (IOException | RuntimeException e) {
      throw PolicyErrors.badTokenizer(source + "/tokenizer.json", String.valueOf(e.getMessage()),
          e);
    }
    try {
      return new PolicyTokenizer(hf, tokenizerJson, tokenizerConfigJson, source);
    } catch (RuntimeException e) {
      hf.close();
      throw e;
    }
  }

  private static String tokenText(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    return n.isObject() ? n.path("content").asText(null) : n.asText();
  }

  private static String templateText(JsonNode n) {
    if (n == null || n.isNull()) {
      return null;
    }
    if (n.isArray()) {
      for (JsonNode t : n) {
        if ("default".equals(t.path("name").asText())) {
          return t.path("template").asText();
        }
      }
      return n.size() > 0 ? n.get(0).path("template").asText() : null;
    }
    return n.asText();
  }

  /** Token ids of {@code text}; special-token strings in it map to their ids, nothing is added. */
  public int[] encode(String text) {
    Encoding e = tokenizer.encode(text, false, false);
    long[] ids = e.getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = Math.toIntExact(ids[i]);
    }
    return out;
  }

  /** Text of {@code ids}, optionally without special tokens. */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    long[] l = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      l[i] = ids[i];
    }
    return tokenizer.decode(l, skipSpecialTokens);
  }

  /** The id of a token string (e.g. a special token), if the vocabulary has it as one token. */
  public Optional<Integer> tokenId(String token) {
    int[] ids = encode(token);
    return ids.length == 1 ? Optional.of(ids[0]) : Optional.empty();
  }

  /** The chat template, if tokenizer_config.json has one. */
  public Optional<ChatTemplate> chatTemplate() {
    return Optional.ofNullable(chatTemplate);
  }

  /** The configured eos token string, if any. */
  public Optional<String> eosToken() {
    return Optional.ofNullable(eosToken);
  }

  /** The configured pad token string, if any. */
  public Optional<String> padToken() {
    return Optional.ofNullable(padToken);
  }

  /** Ids that end a response: the configured eos token, if it is one token. */
  public List<Integer> stopTokenIds() {
    List<Integer> ids = new ArrayList<>();
    eosToken().flatMap(this::tokenId).ifPresent(ids::add);
    return ids;
  }

  /** {@code tokenizer.json} as loaded. */
  public String tokenizerJson() {
    return tokenizerJson;
  }

  /** {@code tokenizer_config.json} as loaded, or null. */
  public String tokenizerConfigJson() {
    return tokenizerConfigJson;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
