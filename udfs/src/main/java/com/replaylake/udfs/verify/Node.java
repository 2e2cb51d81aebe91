package com.replaylake.udfs.verify;

import java.util.Map;
import java.util.Set;

/**
 * A node of a parsed scalar expression. Immutable and thread-safe, so parsed gold answers can be
 * cached and shared between tasks.
 */
final class Node {
  enum Kind {
    NUM, VAR, PI, E, I, INF, ADD, MUL, NEG, DIV, POW, FUNC, ABS, FACT, BINOM, ROOT
  }

  /** Factorials above this are not evaluated (they would only be compared approximately anyway). */
  private static final int MAX_FACTORIAL = 2000;

  final Kind kind;
  final BigRational num;
  final String name;
  final Node[] kids;

  private Node(Kind kind, BigRational num, String name, Node[] kids) {
    this.kind = kind;
    this.num = num;
    this.name = name;
    this.kids = kids;
  }

  static final Node PI = new Node(Kind.PI, null, null, new Node[0]);
  static final Node EULER = new Node(Kind.E, null, null, new Node[0]);
  static final Node IMAGINARY = new Node(Kind.I, null, null, new Node[0]);
  static final Node INFINITY = new Node(Kind.INF, null, null, new Node[0]);

  static Node number(BigRational v) {
    return new Node(Kind.NUM, v, null, new Node[0]);
  }

  static Node variable(String name) {
    return new Node(Kind.VAR, null, name, new Node[0]);
  }

  static Node of(Kind kind, Node... kids) {
    return new Node(kind, null, null, kids);
  }

  static Node func(String name, Node... kids) {
    return new Node(Kind.FUNC, null, name, kids);
  }

  void collectVariables(Set<String> out) {
    if (kind == Kind.VAR) {
      out.add(name);
    }
    for (Node k : kids) {
      k.collectVariables(out);
    }
  }

  /**
   * Exact value in Q(i) with the given rational values for variables, or null when the value is
   * not exactly representable (π, e, non-perfect roots, transcendental functions, overflow) or
   * undefined (division by zero).
   */
  Exact exact(Map<String, Exact> env, Budget budget) {
    budget.tick();
    switch (kind) {
      case NUM:
        return Exact.real(num);
      case I:
        return Exact.I;
      case VAR:
        return env == null ? null : env.get(name);
      case PI:
      case E:
      case INF:
      case FUNC:
        return null;
      case NEG: {
        Exact a = kids[0].exact(env, budget);
        return a == null ? null : a.negate();
      }
      case ADD: {
        Exact acc = Exact.ZERO;
        for (Node k : kids) {
          Exact v = k.exact(env, budget);
          if (v == null) {
            return null;
          }
          acc = acc.add(v);
        }
        return acc;
      }
      case MUL: {
        Exact acc = Exact.ONE;
        for (Node k : kids) {
          Exact v = k.exact(env, budget);
          if (v == null) {
            return null;
          }
          acc = acc.multiply(v);
          budget.charge(acc.re.num.bitLength() >> 6);
        }
        return acc;
      }
      case DIV: {
        Exact a = kids[0].exact(env, budget);
        if (a == null) {
          return null;
        }
        Exact b = kids[1].exact(env, budget);
        return b == null ? null : a.divide(b);
      }
      case POW:
        return exactPow(env, budget);
      case ROOT: {
        Exact a = kids[0].exact(env, budget);
        Exact n = kids[1].exact(env, budget);
        if (a == null || n == null || !a.isReal() || !n.isReal() || !n.re.isInteger()) {
          return null;
        }
        int k = n.re.num.bitLength() > 16 ? -1 : n.re.num.intValue();
        if (k < 1) {
          return null;
        }
        if (a.re.signum() < 0 && k == 2) {
          BigRational r = a.re.negate().root(2);
          return r == null ? null : new Exact(BigRational.ZERO, r);
        }
        BigRational r = a.re.root(k);
        return r == null ? null : Exact.real(r);
      }
      case ABS: {
        Exact a = kids[0].exact(env, budget);
        if (a == null) {
          return null;
        }
        if (a.isReal()) {
          return Exact.real(a.re.signum() < 0 ? a.re.negate() : a.re);
        }
        BigRational sq = a.re.multiply(a.re).add(a.im.multiply(a.im)).root(2);
        return sq == null ? null : Exact.real(sq);
      }
      case FACT: {
        Exact a = kids[0].exact(env, budget);
        if (a == null || !a.isReal() || !a.re.isInteger() || a.re.signum() < 0
            || a.re.num.bitLength() > 16 || a.re.num.intValue() > MAX_FACTORIAL) {
          return null;
        }
        int n = a.re.num.intValue();
        java.math.BigInteger f = java.math.BigInteger.ONE;
        for (int i = 2; i <= n; i++) {
          budget.tick();
          f = f.multiply(java.math.BigInteger.valueOf(i));
        }
        return Exact.real(BigRational.of(f));
      }
      case BINOM: {
        Exact n = kids[0].exact(env, budget);
        Exact k = kids[1].exact(env, budget);
        if (n == null || k == null || !n.isReal() || !k.isReal() || !k.re.isInteger()
            || k.re.signum() < 0 || k.re.num.bitLength() > 16
            || k.re.num.intValue() > MAX_FACTORIAL) {
          return null;
        }
        int kk = k.re.num.intValue();
        BigRational acc = BigRational.ONE;
        for (int i = 0; i < kk; i++) {
          budget.tick();
          acc = acc.multiply(n.re.subtract(BigRational.of(i))).divide(BigRational.of(i + 1));
        }
        return Exact.real(acc);
      }
      default:
        return null;
    }
  }

  private Exact exactPow(Map<String, Exact> env, Budget budget) {
    Exact b = kids[0].exact(env, budget);
    if (b == null) {
      return null;
    }
    Exact e = kids[1].exact(env, budget);
    if (e == null || !e.isReal()) {
      return null;
    }
    BigRational ex = e.re;
    if (ex.isInteger()) {
      if (ex.num.bitLength() > 20) {
        return null;
      }
      return b.pow(ex.num.intValue(), budget);
    }
    // Rational exponent p/q: exact when the base is a perfect q-th power.
    if (!b.isReal() || ex.den.bitLength() > 8 || ex.num.bitLength() > 20) {
      return null;
    }
    int q = ex.den.intValue();
    if (b.re.signum() < 0 && q % 2 == 0) {
      return null;
    }
    BigRational r = b.re.root(q);
    if (r == null) {
      return null;
    }
    if (r.signum() == 0 && ex.signum() < 0) {
      return null;
    }
    BigRational p = r.pow(ex.num.intValue());
    return p == null ? null : Exact.real(p);
  }

  /** Approximate complex value with the given values for variables; NaN when undefined. */
  Complex approx(Map<String, Complex> env, Budget budget) {
    budget.tick();
    switch (kind) {
      case NUM:
        return Complex.real(num.toDouble());
      case I:
        return new Complex(0, 1);
      case PI:
        return Complex.real(Math.PI);
      case E:
        return Complex.real(Math.E);
      case INF:
        return Complex.real(Double.POSITIVE_INFINITY);
      case VAR: {
        Complex v = env == null ? null : env.get(name);
        return v == null ? Complex.NAN : v;
      }
      case NEG:
        return kids[0].approx(env, budget).negate();
      case ADD: {
        Complex acc = Complex.real(0);
        for (Node k : kids) {
          acc = acc.add(k.approx(env, budget));
        }
        return acc;
      }
      case MUL: {
        Complex acc = Complex.real(1);
        for (Node k : kids) {
          acc = acc.multiply(k.approx(env, budget));
        }
        return acc;
      }
      case DIV:
        return kids[0].approx(env, budget).divide(kids[1].approx(env, budget));
      case POW:
        return kids[0].approx(env, budget).pow(kids[1].approx(env, budget));
      case ROOT: {
        Complex a = kids[0].approx(env, budget);
        Complex n = kids[1].approx(env, budget);
        if (!n.isReal()) {
          return Complex.NAN;
        }
        if (n.re == 2) {
          return a.sqrt();
        }
        if (a.isReal() && a.re < 0 && n.re == Math.rint(n.re) && ((long) n.re) % 2 != 0) {
          return Complex.real(-Math.pow(-a.re, 1.0 / n.re));
        }
        return a.pow(Complex.real(1.0 / n.re));
      }
      case ABS:
        return Complex.real(kids[0].approx(env, budget).abs());
      case FACT: {
        Complex a = kids[0].approx(env, budget);
        if (!a.isReal() || a.re < 0 || a.re != Math.rint(a.re) || a.re > 170) {
          return a.isReal() && a.re > 170 ? Complex.real(Double.POSITIVE_INFINITY) : Complex.NAN;
        }
        double f = 1;
        for (int i = 2; i <= (int) a.re; i++) {
          f *= i;
        }
        return Complex.real(f);
      }
      case BINOM: {
        Complex n = kids[0].approx(env, budget);
        Complex k = kids[1].approx(env, budget);
        if (!n.isReal() || !k.isReal() || k.re < 0 || k.re != Math.rint(k.re) || k.re > 10_000) {
          return Complex.NAN;
        }
        double acc = 1;
        for (int i = 0; i < (int) k.re; i++) {
          acc = acc * (n.re - i) / (i + 1);
        }
        return Complex.real(acc);
      }
      case FUNC:
        return applyFunction(env, budget);
      default:
        return Complex.NAN;
    }
  }

  private Complex applyFunction(Map<String, Complex> env, Budget budget) {
    Complex a = kids[0].approx(env, budget);
    if ("exp".equals(name)) {
      return Complex.real(Math.E).pow(a);
    }
    if (!a.isReal()) {
      return Complex.NAN;
    }
    double x = a.re;
    switch (name) {
      case "sin":
        return Complex.real(Math.sin(x));
      case "cos":
        return Complex.real(Math.cos(x));
      case "tan":
        return Complex.real(Math.tan(x));
      case "cot":
        return Complex.real(1 / Math.tan(x));
      case "sec":
        return Complex.real(1 / Math.cos(x));
      case "csc":
        return Complex.real(1 / Math.sin(x));
      case "arcsin":
        return Complex.real(Math.asin(x));
      case "arccos":
        return Complex.real(Math.acos(x));
      case "arctan":
        return Complex.real(Math.atan(x));
      case "sinh":
        return Complex.real(Math.sinh(x));
      case "cosh":
        return Complex.real(Math.cosh(x));
      case "tanh":
        return Complex.real(Math.tanh(x));
      case "ln":
        return Complex.real(x > 0 ? Math.log(x) : Double.NaN);
      case "log": {
        if (x <= 0) {
          return Complex.NAN;
        }
        if (kids.length > 1) {
          Complex b = kids[1].approx(env, budget);
          return b.isReal() && b.re > 0 && b.re != 1
              ? Complex.real(Math.log(x) / Math.log(b.re)) : Complex.NAN;
        }
        // Competition convention: an unqualified log is the natural logarithm.
        return Complex.real(Math.log(x));
      }
      default:
        return Complex.NAN;
    }
  }

  @Override
  public String toString() {
    switch (kind) {
      case NUM:
        return num.toString();
      case VAR:
        return name;
      case FUNC:
        return name + java.util.Arrays.toString(kids);
      default:
        return kind + java.util.Arrays.toString(kids);
    }
  }
}
