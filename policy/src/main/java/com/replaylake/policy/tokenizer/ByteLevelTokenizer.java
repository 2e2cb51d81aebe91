package com.replaylake.policy.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;

/**
 * The project's own tokenizer for the embedded demo: GPT-2 style byte-level BPE with no merges,
 * so every UTF-8 byte is one token (ids 0..255 are the byte values) and any text round-trips.
 * Three special tokens follow: {@code <|endoftext|>} (256, also padding), {@code <|im_start|>}
 * (257) and {@code <|im_end|>} (258), the ChatML markers Qwen2 uses. The generated {@code
 * tokenizer.json} is an ordinary Hugging Face tokenizers file.
 */
public final class ByteLevelTokenizer {
  public static final int END_OF_TEXT_ID = 256;
  public static final int IM_START_ID = 257;
  public static final int IM_END_ID = 258;
  public static final String END_OF_TEXT = "<|endoftext|>";
  public static final String IM_START = "<|im_start|>";
  public static final String IM_END = "<|im_end|>";
  /** Number of token ids in use; a model may have a larger (padded) vocab_size. */
  public static final int SIZE = 259;

  /** The ChatML chat template in HF's Jinja dialect (the one Qwen2 models ship, minus tools). */
  public static final String CHAT_TEMPLATE =
      "{% for message in messages %}"
          + "{% if loop.first and message['role'] != 'system' %}"
          + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}"
          + "{% endif %}"
          + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>'"
          + " + '\\n' }}"
          + "{% endfor %}"
          + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> SPECIALS = List.of(END_OF_TEXT, IM_START, IM_END);

  private ByteLevelTokenizer() {}

  /** GPT-2's reversible byte → printable character mapping. */
  static char[] byteToChar() {
    char[] map = new char[256];
    boolean[] direct = new boolean[256];
    for (int b = '!'; b <= '~'; b++) {
      direct[b] = true;
    }
    for (int b = 0xA1; b <= 0xAC; b++) {
      direct[b] = true;
    }
    for (int b = 0xAE; b <= 0xFF; b++) {
      direct[b] = true;
    }
    int n = 0;
    for (int b = 0; b < 256; b++) {
      map[b] = direct[b] ? (char) b : (char) (256 + n++);
    }
    return map;
  }

  /** The {@code tokenizer.json} text. */
  public static String tokenizerJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    ArrayNode added = root.putArray("added_tokens");
    for (int i = 0; i < SPECIALS.size(); i++) {
      ObjectNode t = added.addObject();
      t.put("id", END_OF_TEXT_ID + i);
      t.put("content", SPECIALS.get(i));
      t.put("single_word", false);
      t.put("lstrip", false);
      t.put("rstrip", false);
      t.put("normalized", false);
      t.put("special", true);
    }
    root.putNull("normalizer");
    ObjectNode pre = root.putObject("pre_tokenizer");
    pre.put("type", "ByteLevel");
    pre.put("add_prefix_space", false);
    pre.put("trim_offsets", false);
    pre.put("use_regex", true);
    root.putNull("post_processor");
    ObjectNode dec = root.putObject("decoder");
    dec.put("type", "ByteLevel");
    dec.put("add_prefix_space", false);
    dec.put("trim_offsets", false);
    dec.put("use_regex", true);
    ObjectNode model = root.putObject("model");
    model.put("type", "BPE");
    model.putNull("dropout");
    model.putNull("unk_token");
    model.putNull("continuing_subword_prefix");
    model.putNull("end_of_word_suffix");
    model.put("fuse_unk", false);
    model.put("byte_fallback", false);
    model.put("ignore_merges", false);
    ObjectNode vocab = model.putObject("vocab");
    char[] map = byteToChar();
    for (int b = 0; b < 256; b++) {
      vocab.put(String.valueOf(map[b]), b);
    }
    for (int i = 0; i < SPECIALS.size(); i++) {
      vocab.put(SPECIALS.get(i), END_OF_TEXT_ID + i);
    }
    model.putArray("merges");
    return write(root);
  }

  /** The {@code tokenizer_config.json} text, with the ChatML template. */
  public static String tokenizerConfigJson(int modelMaxLength) {
    return tokenizerConfigJson(modelMaxLength, true);
  }

  /**
   * The {@code tokenizer_config.json} text. With {@code chat} the ChatML template and eos
   * {@code <|im_end|>} (an instruct model); without, no chat template and eos {@code
   * <|endoftext|>} (a base model: prompts are plain text, responses end with end-of-text).
   */
  public static String tokenizerConfigJson(int modelMaxLength, boolean chat) {
    ObjectNode root = JSON.createObjectNode();
    root.put("tokenizer_class", "PreTrainedTokenizerFast");
    root.putNull("bos_token");
    root.put("eos_token", chat ? IM_END : END_OF_TEXT);
    root.put("pad_token", END_OF_TEXT);
    root.put("model_max_length", modelMaxLength);
    root.put("clean_up_tokenization_spaces", false);
    ObjectNode decoderMap = root.putObject("added_tokens_decoder");
    for (int i = 0; i < SPECIALS.size(); i++) {
      ObjectNode t = decoderMap.putObject(String.valueOf(END_OF_TEXT_ID + i));
      t.put("content", SPECIALS.get(i));
      t.put("lstrip", false);
      t.put("normalized", false);
      t.put("rstrip", false);
      t.put("single_word", false);
      t.put("special", true);
    }
    if (chat) {
      root.put("chat_template", CHAT_TEMPLATE);
    }
    return write(root);
  }

  private static String write(ObjectNode root) {
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
