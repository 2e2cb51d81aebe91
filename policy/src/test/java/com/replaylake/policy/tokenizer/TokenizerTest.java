package com.replaylake.policy.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replaylake.policy.PolicyException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenizerTest {
  private static PolicyTokenizer tok;

  @BeforeAll
  static void load() {
    tok = PolicyTokenizer.byteLevel(512);
  }

  @AfterAll
  static void close() {
    tok.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"123+456=975", "Hello, world!\n  two  spaces\tand tab",
      "ünïcödé – 数学 ∑ 🙂", " leading space", "", "long"})
  void textRoundTripsOneTokenPerByte(String sample) {
    String text = sample.equals("long") ? "0123456789 ".repeat(300) : sample;
    int[] ids = tok.encode(text);
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    assertThat(ids).hasSize(utf8.length);
    for (int i = 0; i < ids.length; i++) {
      assertThat(ids[i]).isEqualTo(utf8[i] & 0xFF);
    }
    assertThat(tok.decode(ids, true)).isEqualTo(text);
  }

  @Test
  void specialTokensAreSingleIdsAndSkippable() {
    int[] ids = tok.encode("<|im_start|>user\nhi<|im_end|>");
    assertThat(ids[0]).isEqualTo(ByteLevelTokenizer.IM_START_ID);
    assertThat(ids[ids.length - 1]).isEqualTo(ByteLevelTokenizer.IM_END_ID);
    assertThat(ids).hasSize(1 + 7 + 1);
    assertThat(tok.decode(ids, true)).isEqualTo("user\nhi");
    assertThat(tok.decode(ids, false)).isEqualTo("<|im_start|>user\nhi<|im_end|>");
    assertThat(tok.tokenId("<|endoftext|>")).contains(ByteLevelTokenizer.END_OF_TEXT_ID);
    assertThat(tok.stopTokenIds()).containsExactly(ByteLevelTokenizer.IM_END_ID);
    assertThat(tok.padToken()).contains("<|endoftext|>");
  }

  @Test
  void generatedFileLoadsInDjlHuggingFaceTokenizerFromAPath(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tokenizer.json");
    Files.writeString(file, ByteLevelTokenizer.tokenizerJson());
    JsonNode json = new ObjectMapper().readTree(file.toFile());
    assertThat(json.at("/model/type").asText()).isEqualTo("BPE");
    assertThat(json.at("/model/vocab").size()).isEqualTo(ByteLevelTokenizer.SIZE);
    assertThat(json.at("/added_tokens").size()).isEqualTo(3);
    try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(file,
        Map.of("addSpecialTokens", "false"))) {
      String text = "The sum is 42.\n";
      long[] ids = hf.encode(text).getIds();
      assertThat(ids).hasSize(text.length());
      assertThat(hf.decode(ids)).isEqualTo(text);
      assertThat(hf.encode("<|im_end|>").getIds()).containsExactly(ByteLevelTokenizer.IM_END_ID);
    }
  }

  @Test
  void chatMlTemplateRendersLikeQwen() {
    ChatTemplate t = tok.chatTemplate().orElseThrow();
    String prompt = t.render(List.of(ChatMessage.user("What is 2+3?")), true);
    assertThat(prompt).isEqualTo("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n"
        + "<|im_start|>user\nWhat is 2+3?<|im_end|>\n<|im_start|>assistant\n");
    String convo = t.render(List.of(ChatMessage.system("Be terse."), ChatMessage.user("hi"),
        ChatMessage.assistant("hello")), false);
    assertThat(convo).isEqualTo("<|im_start|>system\nBe terse.<|im_end|>\n"
        + "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\nhello<|im_end|>\n");
    int[] ids = tok.encode(prompt);
    assertThat(ids[0]).isEqualTo(ByteLevelTokenizer.IM_START_ID);
  }

  @Test
  void templatesWithBlocksFiltersAndRaiseExceptionWork() {
    // Shaped like Llama/Mistral templates: trim_blocks/lstrip_blocks, bos_token, raise_exception.
    String llamaLike = """
        {{ bos_token }}
        {% for message in messages %}
            {% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
                {{ raise_exception('Conversation roles must alternate user/assistant') }}
            {% endif %}
            {% if message['role'] == 'user' %}
                {{ '[INST] ' + message['content'] | trim + ' [/INST]' }}
            {% else %}
                {{ ' ' + message['content'] + eos_token }}
            {% endif %}
        {% endfor %}""";
    ChatTemplate t = new ChatTemplate(llamaLike, "<s>", "</s>", "test");
    String out = t.render(List.of(ChatMessage.user(" a "), ChatMessage.assistant("b"),
        ChatMessage.user("c")), false);
    assertThat(out.replace("\n", "").replace("    ", ""))
        .isEqualTo("<s>[INST] a [/INST] b</s>[INST] c [/INST]");
    assertThatThrownBy(() -> t.render(List.of(ChatMessage.assistant("x")), false))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("roles must alternate").hasMessageContaining("test");
  }

  /** Qwen2.5's template (tool branches shortened), with {%- -%}, attribute access, tojson. */
  private static final String QWEN25 = """
      {%- if tools %}
          {{- '<|im_start|>system\\n' }}
          {%- for tool in tools %}
              {{- "\\n" }}
              {{- tool | tojson }}
          {%- endfor %}
          {{- '<|im_end|>\\n' }}
      {%- else %}
          {%- if messages[0]['role'] == 'system' %}
              {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
          {%- else %}
              {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful\
       assistant.<|im_end|>\\n' }}
          {%- endif %}
      {%- endif %}
      {%- for message in messages %}
          {%- if (message.role == "user") or (message.role == "system" and not loop.first) or\
       (message.role == "assistant" and not message.tool_calls) %}
              {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
          {%- elif message.role == "assistant" %}
              {{- '<|im_start|>' + message.role }}
              {{- '<|im_end|>\\n' }}
          {%- endif %}
      {%- endfor %}
      {%- if add_generation_prompt %}
          {{- '<|im_start|>assistant\\n' }}
      {%- endif %}
      """;

  @Test
  void qwen25StyleTemplateRenders() {
    ChatTemplate t = new ChatTemplate(QWEN25, null, "<|im_end|>", "qwen2.5");
    assertThat(t.render(List.of(ChatMessage.user("1+1?")), true)).isEqualTo(
        "<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful"
            + " assistant.<|im_end|>\n<|im_start|>user\n1+1?<|im_end|>\n"
            + "<|im_start|>assistant\n");
    assertThat(t.render(List.of(ChatMessage.system("S"), ChatMessage.user("u"),
        ChatMessage.assistant("a")), false)).isEqualTo(
        "<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nu<|im_end|>\n"
            + "<|im_start|>assistant\na<|im_end|>\n");
  }

  @Test
  void templateListFormAndMissingTemplate() {
    String cfg = "{\"eos_token\": {\"content\": \"<|im_end|>\"}, \"chat_template\": ["
        + "{\"name\": \"tool_use\", \"template\": \"T\"},"
        + "{\"name\": \"default\", \"template\": \"{{ messages[0]['content'] }}!\"}]}";
    try (PolicyTokenizer t = PolicyTokenizer.fromJson(ByteLevelTokenizer.tokenizerJson(), cfg,
        "list")) {
      assertThat(t.chatTemplate().orElseThrow().render(List.of(ChatMessage.user("q")), true))
          .isEqualTo("q!");
      assertThat(t.eosToken()).contains("<|im_end|>");
    }
    try (PolicyTokenizer t = PolicyTokenizer.fromJson(ByteLevelTokenizer.tokenizerJson(), null,
        "none")) {
      assertThat(t.chatTemplate()).isEmpty();
      assertThat(t.stopTokenIds()).isEmpty();
    }
  }

  @Test
  void brokenTokenizerJsonIsReportedWithItsSource() {
    assertThatThrownBy(() -> PolicyTokenizer.fromJson("{\"model\": 3}", null, "/ckpt/v1"))
        .isInstanceOf(PolicyException.class).hasMessageContaining("/ckpt/v1/tokenizer.json");
  }
}
