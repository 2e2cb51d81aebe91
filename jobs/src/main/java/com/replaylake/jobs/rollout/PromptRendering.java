package com.replaylake.jobs.rollout;

import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.tokenizer.ChatMessage;
import java.util.List;

/**
 * How a prompt becomes model input, the same for rollout, evaluation and SFT: the policy's chat
 * template with one user message when its tokenizer has one (an instruct model), otherwise the
 * plain {@code --prompt-template} with {@code {prompt}} replaced (a base model).
 */
public final class PromptRendering {
  private PromptRendering() {}

  public static String render(PolicyModel policy, String template, String prompt) {
    return policy.tokenizer().chatTemplate().isPresent()
        ? policy.renderPrompt(List.of(ChatMessage.user(prompt)))
        : template.replace("{prompt}", prompt);
  }

  /**
   * The token that ends a demonstration: the tokenizer's eos token when it is one of the policy's
   * stop tokens (so that sampling stops where SFT taught it to), else the first stop token.
   */
  public static int endToken(PolicyModel policy) {
    List<Integer> stops = policy.stopTokenIds();
    if (stops.isEmpty()) {
      throw new IllegalArgumentException("the policy has no eos/stop token; demonstrations cannot be terminated");
    }
    return policy.tokenizer().eosToken().flatMap(policy.tokenizer()::tokenId).filter(stops::contains)
        .orElse(stops.get(0));
  }
}
