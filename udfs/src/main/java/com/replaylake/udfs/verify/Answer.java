package com.replaylake.udfs.verify;

import java.util.List;

/** The structure of a parsed final answer. Immutable, so parsed gold answers can be shared. */
sealed interface Answer {
  /** A single value; {@code percent} when written with a percent sign. */
  record Scalar(Node expr, boolean percent) implements Answer {}

  /** {@code lhs = rhs}; {@code variable} is the left side's name when it is a lone variable. */
  record Equation(Node lhs, Node rhs, String variable) implements Answer {}

  /** An ordered tuple or an interval: brackets matter, e.g. {@code [1, 2)}. */
  record Sequence(char open, char close, List<Answer> items) implements Answer {}

  /** An unordered collection: a set, a solution list, or the values of a {@code \pm}. */
  record Collection(List<Answer> items) implements Answer {}

  /** A union of intervals (unordered). */
  record Union(List<Answer> parts) implements Answer {}

  /** A matrix or vector, row by row. */
  record Matrix(List<List<Answer>> rows) implements Answer {}

  /** A multiple-choice letter A–E. */
  record Choice(char letter) implements Answer {}

  /** A word answer, case-folded with spaces removed. */
  record Text(String text) implements Answer {}

  /** A numeral in another base, e.g. {@code 204_5}. */
  record BaseNumber(String digits, String base) implements Answer {}

  /** Anything the grammar does not accept: compared by canonical spelling only. */
  record Raw(String canonical) implements Answer {}
}
