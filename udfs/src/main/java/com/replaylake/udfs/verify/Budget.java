package com.replaylake.udfs.verify;

/**
 * Cooperative work budget of one check: a step counter and a wall-clock deadline, both checked by
 * the parsers and evaluators themselves. No thread is interrupted or signalled; when the budget is
 * spent, {@link Exhausted} unwinds the check and the verifier reports {@link VerifyStatus#TIMEOUT}.
 */
final class Budget {
  private static final int CLOCK_CHECK_INTERVAL = 1 << 12;

  private final long deadlineNanos;
  private long stepsLeft;
  private int untilClockCheck = CLOCK_CHECK_INTERVAL;

  Budget(long timeoutNanos, long maxSteps) {
    this.deadlineNanos = System.nanoTime() + timeoutNanos;
    this.stepsLeft = maxSteps;
  }

  /** A budget that never runs out, for trusted internal callers such as tests of pure helpers. */
  static Budget unlimited() {
    return new Budget(Long.MAX_VALUE / 4, Long.MAX_VALUE);
  }

  /** Charges {@code steps} units of work; throws {@link Exhausted} when the budget is spent. */
  void charge(long steps) {
    stepsLeft -= steps;
    if (stepsLeft < 0) {
      throw Exhausted.INSTANCE;
    }
    untilClockCheck -= (int) Math.min(steps, CLOCK_CHECK_INTERVAL);
    if (untilClockCheck <= 0) {
      untilClockCheck = CLOCK_CHECK_INTERVAL;
      if (System.nanoTime() - deadlineNanos > 0) {
        throw Exhausted.INSTANCE;
      }
    }
  }

  /** Charges one step. */
  void tick() {
    charge(1);
  }

  /** Thrown when a check runs out of budget. Carries no stack trace: it is control flow. */
  static final class Exhausted extends RuntimeException {
    private static final long serialVersionUID = 1L;
    static final Exhausted INSTANCE = new Exhausted();

    private Exhausted() {
      super("verification budget exhausted", null, false, false);
    }
  }
}
