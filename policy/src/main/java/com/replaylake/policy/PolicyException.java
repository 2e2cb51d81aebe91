package com.replaylake.policy;

/**
 * The one exception type that the policy module throws for bad input (checkpoints, configs,
 * tokenizers, sampling options) and wrapped engine failures. Messages are built only by
 * {@link PolicyErrors} and say what is wrong, why, and which file, key or tensor is involved.
 */
public final class PolicyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  PolicyException(String message) {
    super(message);
  }

  PolicyException(String message, Throwable cause) {
    super(message, cause);
  }
}
