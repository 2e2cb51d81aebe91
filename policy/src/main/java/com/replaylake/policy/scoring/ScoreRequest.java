package com.replaylake.policy.scoring;

import com.replaylake.policy.PolicyErrors;

/**
 * A prompt and a response to score token by token.
 *
 * @param promptTokenIds at least one token (the first response token is predicted from it)
 * @param responseTokenIds may be empty
 */
public record ScoreRequest(int[] promptTokenIds, int[] responseTokenIds) {
  public ScoreRequest {
    if (promptTokenIds.length == 0) {
      throw PolicyErrors.badArgument("prompt", "[]", "scoring needs at least one prompt token");
    }
  }
}
