package com.replaylake.policy;

import java.util.Arrays;
import java.util.Collection;

/**
 * Every user-facing error of the policy module is made here, in the form "Cannot &lt;verb&gt;:
 * &lt;reason&gt;", naming the offending file, key, tensor or value.
 */
public final class PolicyErrors {
  private PolicyErrors() {}

  public static PolicyException missingTensor(String source, String tensor) {
    return new PolicyException(
        String.format(
            "Cannot load checkpoint %s: tensor '%s' is missing; the config.json architecture needs"
                + " it (check num_hidden_layers, attention biases and tie_word_embeddings)",
            source, tensor));
  }

  public static PolicyException wrongShape(
      String source, String tensor, long[] actual, long[] expected) {
    return new PolicyException(
        String.format(
            "Cannot load checkpoint %s: tensor '%s' has shape %s but config.json implies %s",
            source, tensor, Arrays.toString(actual), Arrays.toString(expected)));
  }

  public static PolicyException unexpectedTensors(String source, Collection<String> names) {
    return new PolicyException(
        String.format(
            "Cannot load checkpoint %s: %d tensor(s) do not belong to the configured architecture,"
                + " e.g. %s; check model_type and num_hidden_layers in config.json",
            source, names.size(), names.stream().sorted().limit(5).toList()));
  }

  public static PolicyException badSafetensors(String source, String reason) {
    return new PolicyException(
        String.format("Cannot read safetensors file %s: %s", source, reason));
  }

  public static PolicyException unsupportedDtype(String source, String tensor, String dtype) {
    return new PolicyException(
        String.format(
            "Cannot load tensor '%s' from %s: dtype %s is not supported (use F32, BF16 or F16)",
            tensor, source, dtype));
  }

  public static PolicyException badConfig(String source, String key, Object value, String why) {
    return new PolicyException(
        String.format(
            "Cannot use model config %s: key '%s' = %s is invalid: %s", source, key, value, why));
  }

  public static PolicyException unsupportedConfig(
      String source, String key, Object value, String why) {
    return new PolicyException(
        String.format(
            "Cannot use model config %s: key '%s' = %s is not supported by this decoder: %s",
            source, key, value, why));
  }

  public static PolicyException missingFile(String source, String file, String why) {
    return new PolicyException(
        String.format("Cannot load checkpoint %s: file '%s' is missing (%s)", source, file, why));
  }

  public static PolicyException io(String verb, String what, Throwable cause) {
    return new PolicyException(
        String.format("Cannot %s %s: %s", verb, what, cause.getMessage()), cause);
  }

  public static PolicyException badArgument(String what, Object value, String why) {
    return new PolicyException(
        String.format("Cannot use %s = %s: %s", what, value, why));
  }

  /** A learner configuration value that is out of range or unparsable, naming its key. */
  public static PolicyException badLearnerConfig(String key, Object value, String why) {
    return new PolicyException(
        String.format("Cannot use learner config key '%s' = %s: %s", key, value, why));
  }

  public static PolicyException badDevice(String spec, String why) {
    return new PolicyException(String.format("Cannot use device '%s': %s", spec, why));
  }

  public static PolicyException badTemplate(String source, String why, Throwable cause) {
    return new PolicyException(
        String.format("Cannot render chat template from %s: %s", source, why), cause);
  }

  public static PolicyException badTokenizer(String source, String why, Throwable cause) {
    return new PolicyException(
        String.format("Cannot load tokenizer %s: %s", source, why), cause);
  }

  /** The same error, with a placeholder source replaced by the real one. */
  public static PolicyException inSource(PolicyException e, String placeholder, String source) {
    return new PolicyException(e.getMessage().replace(placeholder, source), e);
  }
}
