package com.replaylake.jobs.score;

import com.replaylake.schemas.Errors;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which reward terms the score job sums into {@code reward}, written {@code math},
 * {@code math+format}, {@code math+overlong}, {@code math+format+overlong}. {@code math} is
 * required: it is the verifiable part; a null math reward makes the total null.
 */
public record RewardSpec(List<Term> terms) {

  /** One reward term; its name is the key in {@code reward_components}. */
  public enum Term {
    /** 1 when the verifier judges the final answer equivalent to the gold, else 0; null when it cannot say. */
    MATH,
    /** 1 for exactly one final boxed answer, else 0 (rl_format_reward). */
    FORMAT,
    /** DAPO soft overlong penalty on the response token count (0 .. -1). */
    OVERLONG;

    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  public RewardSpec {
    terms = List.copyOf(terms);
  }

  public static RewardSpec parse(String text) {
    Set<Term> terms = new LinkedHashSet<>();
    for (String part : text.split("\\+")) {
      String name = part.trim().toLowerCase(Locale.ROOT);
      Term term = null;
      for (Term t : Term.values()) {
        if (t.key().equals(name)) {
          term = t;
        }
      }
      if (term == null) {
        throw Errors.invalidOption("--reward", text, "unknown term '" + part.trim() + "'; terms are math, format, overlong joined by +");
      }
      if (!terms.add(term)) {
        throw Errors.invalidOption("--reward", text, "term '" + name + "' appears twice");
      }
    }
    if (!terms.contains(Term.MATH)) {
      throw Errors.invalidOption("--reward", text, "the verifiable term 'math' is required");
    }
    return new RewardSpec(new ArrayList<>(terms));
  }

  public boolean has(Term term) {
    return terms.contains(term);
  }

  @Override
  public String toString() {
    return String.join("+", terms.stream().map(Term::key).toList());
  }
}
