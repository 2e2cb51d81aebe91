package com.replaylake.schemas;

import java.util.Map;

/**
 * A failure a user can act on. The message says what is wrong, why, and what to do, and names
 * the file, line, table, column or key involved; {@link #errorClass()} is a stable identifier and
 * {@link #parameters()} holds the values (not sentences) that went into the message.
 *
 * <p>Built only by {@link Errors}.
 */
public class ReplayLakeException extends RuntimeException {

  private final String errorClass;
  private final Map<String, String> parameters;
  private final int exitCode;

  ReplayLakeException(String errorClass, Map<String, String> parameters, String message, int exitCode, Throwable cause) {
    super(message, cause);
    this.errorClass = errorClass;
    this.parameters = Map.copyOf(parameters);
    this.exitCode = exitCode;
  }

  public String errorClass() {
    return errorClass;
  }

  public Map<String, String> parameters() {
    return parameters;
  }

  /** Process exit code the CLI uses: 2 for bad input or usage, 1 for other failures. */
  public int exitCode() {
    return exitCode;
  }
}
