package com.replaylake.policy.tokenizer;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.LegacyOverrides;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import com.replaylake.policy.PolicyErrors;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face chat template ({@code tokenizer_config.json}'s {@code chat_template}) rendered
 * with a real Jinja engine (jinjava), with the settings HF uses: {@code trim_blocks} and {@code
 * lstrip_blocks} on, variables {@code messages}, {@code add_generation_prompt}, {@code
 * bos_token}, {@code eos_token}, and a {@code raise_exception(msg)} function that fails the
 * render. Any template error fails with the template's source named.
 */
public final class ChatTemplate {
  private final String template;
  private final String bosToken;
  private final String eosToken;
  private final String source;
  private final Jinjava jinjava;

  public ChatTemplate(String template, String bosToken, String eosToken, String source) {
    this.template = template;
    this.bosToken = bosToken == null ? "" : bosToken;
    this.eosToken = eosToken == null ? "" : eosToken;
    this.source = source;
    JinjavaConfig cfg = JinjavaConfig.newBuilder()
        .withTrimBlocks(true)
        .withLstripBlocks(true)
        .withFailOnUnknownTokens(false)
        // Closer to Python Jinja, which HF templates are written for: {{- -}} trims like {%- -%},
        // whitespace control parsed strictly, Python operator precedence.
        .withLegacyOverrides(LegacyOverrides.newBuilder()
            .withUseTrimmingForNotesAndExpressions(true)
            .withParseWhitespaceControlStrictly(true)
            .withUseNaturalOperatorPrecedence(true)
            .build())
        .build();
    this.jinjava = new Jinjava(cfg);
    jinjava.getGlobalContext().registerFunction(new ELFunctionDefinition(
        "", "raise_exception", ChatTemplate.class, "raiseException", String.class));
  }

  /** The template text. */
  public String template() {
    return template;
  }

  /** Called by templates as {@code raise_exception(msg)}. */
  public static String raiseException(String message) {
    throw new TemplateRaisedException(message);
  }

  /** Renders {@code messages}; with {@code addGenerationPrompt}, the assistant turn is opened. */
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    List<Map<String, Object>> msgs = new ArrayList<>();
    for (ChatMessage m : messages) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("role", m.role());
      map.put("content", m.content());
      msgs.add(map);
    }
    Map<String, Object> vars = new HashMap<>();
    vars.put("messages", msgs);
    vars.put("add_generation_prompt", addGenerationPrompt);
    vars.put("bos_token", bosToken);
    vars.put("eos_token", eosToken);
    RenderResult result;
    try {
      result = jinjava.renderForResult(template, vars);
    } catch (TemplateRaisedException e) {
      throw PolicyErrors.badTemplate(source, "the template raised: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw PolicyErrors.badTemplate(source, String.valueOf(e.getMessage()), e);
    }
    for (TemplateError err : result.getErrors()) {
      Throwable raised = raisedBy(err.getException());
      if (raised != null) {
        throw PolicyErrors.badTemplate(source, "the template raised: " + raised.getMessage(),
            raised);
      }
      if (err.getSeverity() == TemplateError.ErrorType.FATAL) {
        throw PolicyErrors.badTemplate(
            source, err.getMessage() + " (line " + err.getLineno() + ")", err.getException());
      }
    }
    return result.getOutput();
  }

  private static Throwable raisedBy(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof TemplateRaisedException) {
        return c;
      }
    }
    return null;
  }

  /** What {@code raise_exception} throws inside the engine. */
  static final class TemplateRaisedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TemplateRaisedException(String message) {
      super(message);
    }
  }
}
