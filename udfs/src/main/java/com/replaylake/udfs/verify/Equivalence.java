package com.replaylake.udfs.verify;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Decides whether a response answer is equivalent to a gold answer.
 *
 * <p>Scalars are compared exactly in Q(i) whenever both sides are exact (rationals, perfect
 * roots, big integers); otherwise numerically. Expressions with variables are compared at
 * deterministic rational sample points, exactly when both sides are rational functions there and
 * in double precision otherwise. A finite decimal is never accepted for an irrational value: a
 * rational with a denominator above {@link #MAX_APPROX_DENOMINATOR} compared with a non-exact
 * value is incorrect, so "3.14" and "1.4142" do not match π and √2.
 */
final class Equivalence {
  /** Relative tolerance for values that can only be compared in double precision. */
  static final double REL_TOL = 1e-9;
  private static final double ABS_TOL = 1e-12;
  private static final BigInteger MAX_APPROX_DENOMINATOR = BigInteger.valueOf(1_000_000);

  private static final BigRational[] SAMPLES = {
      BigRational.of(7, 5), BigRational.of(-3, 2), BigRational.of(11, 7), BigRational.of(2, 9),
      BigRational.of(-13, 4), BigRational.of(17, 3), BigRational.of(5, 11),
      BigRational.of(-19, 6), BigRational.of(23, 8), BigRational.of(3, 13),
      BigRational.of(29, 10), BigRational.of(31, 12), BigRational.of(37, 17),
      BigRational.of(9, 19), BigRational.of(41, 14), BigRational.of(4, 3)};
  private static final int POINTS = 12;
  private static final int ENOUGH_AGREEMENT = 6;
  private static final int MIN_AGREEMENT = 4;

  private Equivalence() {}

  static boolean equivalent(Answer gold, Answer resp, Budget budget) {
    budget.tick();
    if (gold instanceof Answer.Scalar g) {
      if (resp instanceof Answer.Scalar r) {
        return scalars(g, r, budget);
      }
      if (resp instanceof Answer.Equation r && (r.variable() != null || isConstant(r.lhs()))) {
        // "x = 5" or a worked "3 \cdot 4 = 12": the value is the right side
        return scalars(g, new Answer.Scalar(r.rhs(), false), budget);
      }
      return false;
    }
    if (gold instanceof Answer.Equation g) {
      if (resp instanceof Answer.Equation r) {
        return equations(g, r, budget);
      }
      if (resp instanceof Answer.Scalar r && g.variable() != null) {
        return scalars(new Answer.Scalar(g.rhs(), false), r, budget);
      }
      return false;
    }
    if (gold instanceof Answer.Sequence g) {
      if (resp instanceof Answer.Sequence r) {
        return g.open() == r.open() && g.close() == r.close() && ordered(g.items(), r.items(), budget);
      }
      if (resp instanceof Answer.Matrix r && g.open() == '(' && g.close() == ')') {
        List<Answer> v = vector(r);
        return v != null && ordered(g.items(), v, budget);
      }
      return false;
    }
    if (gold instanceof Answer.Collection g) {
      if (resp instanceof Answer.Collection r) {
        return unordered(g.items(), r.items(), budget);
      }
      if (resp instanceof Answer.Union r) {
        return unordered(g.items(), r.parts(), budget);
      }
      if (g.items().size() == 1) {
        return equivalent(g.items().get(0), resp, budget);
      }
      return false;
    }
    if (gold instanceof Answer.Union g) {
      if (resp instanceof Answer.Union r) {
        return unordered(g.parts(), r.parts(), budget);
      }
      // "x < -2 or x > 3" is a list of two intervals
      return resp instanceof Answer.Collection r && unordered(g.parts(), r.items(), budget);
    }
    if (gold instanceof Answer.Matrix g) {
      if (resp instanceof Answer.Matrix r) {
        if (g.rows().size() != r.rows().size()) {
          List<Answer> gv = vector(g);
          List<Answer> rv = vector(r);
          return gv != null && rv != null && ordered(gv, rv, budget);
        }
        for (int i = 0; i < g.rows().size(); i++) {
          if (!ordered(g.rows().get(i), r.rows().get(i), budget)) {
            return false;
          }
        }
        return true;
      }
      if (resp instanceof Answer.Sequence r && r.open() == '(' && r.close() == ')') {
        List<Answer> v = vector(g);
        return v != null && ordered(v, r.items(), budget);
      }
      return false;
    }
    if (gold instanceof Answer.Choice g) {
      return resp instanceof Answer.Choice r && r.letter() == g.letter();
    }
    if (gold instanceof Answer.Text g) {
      if (resp instanceof Answer.Text r) {
        return r.text().equals(g.text());
      }
      return resp instanceof Answer.Raw r && r.canonical().equalsIgnoreCase(g.text());
    }
    if (gold instanceof Answer.BaseNumber g) {
      if (resp instanceof Answer.BaseNumber r) {
        return r.digits().equals(g.digits()) && r.base().equals(g.base());
      }
      // "204" for "204_5": the question already fixes the base
      return resp instanceof Answer.Scalar r && r.expr().kind == Node.Kind.NUM && !r.percent()
          && r.expr().num.isInteger() && r.expr().num.num.toString().equals(g.digits());
    }
    if (gold instanceof Answer.Raw g) {
      return resp instanceof Answer.Raw r && r.canonical().equals(g.canonical());
    }
    return false;
  }

  private static boolean isConstant(Node n) {
    TreeSet<String> vars = new TreeSet<>();
    n.collectVariables(vars);
    return vars.isEmpty();
  }

  /** A one-row or one-column matrix as a list, else null. */
  private static List<Answer> vector(Answer.Matrix m) {
    if (m.rows().size() == 1) {
      return m.rows().get(0);
    }
    List<Answer> out = new ArrayList<>();
    for (List<Answer> row : m.rows()) {
      if (row.size() != 1) {
        return null;
      }
      out.add(row.get(0));
    }
    return out;
  }

  private static boolean ordered(List<Answer> g, List<Answer> r, Budget budget) {
    if (g.size() != r.size()) {
      return false;
    }
    for (int i = 0; i < g.size(); i++) {
      if (!equivalent(g.get(i), r.get(i), budget)) {
        return false;
      }
    }
    return true;
  }

  /** Multiset match: every gold item pairs with a distinct equivalent response item. */
  private static boolean unordered(List<Answer> g, List<Answer> r, Budget budget) {
    if (g.size() != r.size()) {
      return false;
    }
    boolean[] used = new boolean[r.size()];
    for (Answer item : g) {
      boolean found = false;
      for (int j = 0; j < r.size() && !found; j++) {
        if (!used[j] && equivalent(item, r.get(j), budget)) {
          used[j] = true;
          found = true;
        }
      }
      if (!found) {
        return false;
      }
    }
    return true;
  }

  private static boolean scalars(Answer.Scalar g, Answer.Scalar r, Budget budget) {
    if (expressions(g.expr(), r.expr(), budget)) {
      return true;
    }
    // 25% is also 0.25 (and 0.25 is 25%), but 25% is not 2500.
    Node hundred = Node.number(BigRational.HUNDRED);
    if (g.percent() && !r.percent()) {
      return expressions(Node.of(Node.Kind.DIV, g.expr(), hundred), r.expr(), budget);
    }
    if (r.percent() && !g.percent()) {
      return expressions(g.expr(), Node.of(Node.Kind.DIV, r.expr(), hundred), budget);
    }
    return false;
  }

  /** Whether two scalar expressions denote the same value (or function of their variables). */
  static boolean expressions(Node a, Node b, Budget budget) {
    TreeSet<String> vars = new TreeSet<>();
    a.collectVariables(vars);
    b.collectVariables(vars);
    try {
      if (vars.isEmpty()) {
        return constants(a, b, budget);
      }
      return functions(a, b, vars, budget);
    } catch (ArithmeticException e) {
      return false;
    }
  }

  private static boolean constants(Node a, Node b, Budget budget) {
    Exact ea = a.exact(null, budget);
    Exact eb = b.exact(null, budget);
    if (ea != null && eb != null) {
      return ea.equals(eb);
    }
    if (isLongDecimal(ea) || isLongDecimal(eb)) {
      return false;
    }
    Complex ca = ea != null ? ea.toComplex() : a.approx(null, budget);
    Complex cb = eb != null ? eb.toComplex() : b.approx(null, budget);
    return close(ca, cb);
  }

  private static boolean isLongDecimal(Exact e) {
    return e != null && (e.re.den.compareTo(MAX_APPROX_DENOMINATOR) > 0
        || e.im.den.compareTo(MAX_APPROX_DENOMINATOR) > 0);
  }

  static boolean close(Complex a, Complex b) {
    if (a.isNaN() || b.isNaN()) {
      return false;
    }
    if (!a.isFinite() || !b.isFinite()) {
      return a.re == b.re && a.im == b.im;
    }
    double diff = Math.hypot(a.re - b.re, a.im - b.im);
    return diff <= REL_TOL * Math.max(a.abs(), b.abs()) + ABS_TOL;
  }

  private static boolean functions(Node a, Node b, TreeSet<String> vars, Budget budget) {
    int agree = 0;
    Map<String, Exact> exactEnv = new HashMap<>();
    Map<String, Complex> approxEnv = new HashMap<>();
    for (int k = 0; k < POINTS && agree < ENOUGH_AGREEMENT; k++) {
      assign(vars, k, exactEnv, approxEnv);
      Exact ea = a.exact(exactEnv, budget);
      Exact eb = ea == null ? null : b.exact(exactEnv, budget);
      if (ea != null && eb != null) {
        if (!ea.equals(eb)) {
          return false;
        }
        agree++;
        continue;
      }
      Complex ca = ea != null ? ea.toComplex() : a.approx(approxEnv, budget);
      Complex cb = b.approx(approxEnv, budget);
      if (!ca.isFinite() || !cb.isFinite()) {
        continue; // outside one side's domain at this point
      }
      if (!close(ca, cb)) {
        return false;
      }
      agree++;
    }
    return agree >= MIN_AGREEMENT;
  }

  /** Sample point k: rational values, the last points all positive (for roots and logs). */
  private static void assign(
      TreeSet<String> vars, int k, Map<String, Exact> exactEnv, Map<String, Complex> approxEnv) {
    int j = 0;
    for (String v : vars) {
      BigRational x = SAMPLES[(k * 5 + j * 3) % SAMPLES.length];
      if (k >= POINTS - 4 && x.signum() < 0) {
        x = x.negate();
      }
      exactEnv.put(v, Exact.real(x));
      approxEnv.put(v, Complex.real(x.toDouble()));
      j++;
    }
  }

  /**
   * Equations: the same lone variable on the left compares right sides; otherwise
   * {@code lhs - rhs} must be proportional (so {@code y = 2x} matches {@code 2x - y = 0}).
   */
  private static boolean equations(Answer.Equation g, Answer.Equation r, Budget budget) {
    if (g.variable() != null && g.variable().equals(r.variable())) {
      return expressions(g.rhs(), r.rhs(), budget);
    }
    Node dg = Node.of(Node.Kind.ADD, g.lhs(), Node.of(Node.Kind.NEG, g.rhs()));
    Node dr = Node.of(Node.Kind.ADD, r.lhs(), Node.of(Node.Kind.NEG, r.rhs()));
    TreeSet<String> vars = new TreeSet<>();
    dg.collectVariables(vars);
    dr.collectVariables(vars);
    if (vars.isEmpty()) {
      return false;
    }
    Map<String, Exact> exactEnv = new HashMap<>();
    Map<String, Complex> approxEnv = new HashMap<>();
    Exact exactRatio = null;
    Complex approxRatio = null;
    int agree = 0;
    try {
      for (int k = 0; k < POINTS && agree < ENOUGH_AGREEMENT; k++) {
        assign(vars, k, exactEnv, approxEnv);
        Exact eg = dg.exact(exactEnv, budget);
        Exact er = eg == null ? null : dr.exact(exactEnv, budget);
        if (eg != null && er != null) {
          if (eg.isZero() || er.isZero()) {
            if (eg.isZero() != er.isZero()) {
              return false;
            }
            continue;
          }
          Exact ratio = eg.divide(er);
          if (exactRatio == null && approxRatio == null) {
            exactRatio = ratio;
          } else if (exactRatio != null ? !exactRatio.equals(ratio)
              : !close(approxRatio, ratio.toComplex())) {
            return false;
          }
          agree++;
          continue;
        }
        Complex cg = dg.approx(approxEnv, budget);
        Complex cr = dr.approx(approxEnv, budget);
        if (!cg.isFinite() || !cr.isFinite()) {
          continue;
        }
        boolean zg = cg.abs() <= ABS_TOL;
        boolean zr = cr.abs() <= ABS_TOL;
        if (zg || zr) {
          if (zg != zr) {
            return false;
          }
          continue;
        }
        Complex ratio = cg.divide(cr);
        if (exactRatio == null && approxRatio == null) {
          approxRatio = ratio;
        } else if (!close(exactRatio != null ? exactRatio.toComplex() : approxRatio, ratio)) {
          return false;
        }
        agree++;
      }
    } catch (ArithmeticException e) {
      return false;
    }
    return agree >= MIN_AGREEMENT - 1;
  }
}
