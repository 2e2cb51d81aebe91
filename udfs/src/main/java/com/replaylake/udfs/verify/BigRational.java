package com.replaylake.udfs.verify;

import java.math.BigDecimal;
import java.math.BigInteger;

/** An exact rational number in lowest terms with a positive denominator. Immutable. */
final class BigRational implements Comparable<BigRational> {
  static final BigRational ZERO = new BigRational(BigInteger.ZERO, BigInteger.ONE);
  static final BigRational ONE = new BigRational(BigInteger.ONE, BigInteger.ONE);
  static final BigRational HUNDRED = new BigRational(BigInteger.valueOf(100), BigInteger.ONE);

  /** Results larger than this many bits are not computed exactly (they fall back to doubles). */
  static final int MAX_BITS = 1 << 16;

  final BigInteger num;
  final BigInteger den;

  private BigRational(BigInteger num, BigInteger den) {
    this.num = num;
    this.den = den;
  }

  static BigRational of(long n) {
    return new BigRational(BigInteger.valueOf(n), BigInteger.ONE);
  }

  static BigRational of(BigInteger n) {
    return new BigRational(n, BigInteger.ONE);
  }

  static BigRational of(BigInteger n, BigInteger d) {
    if (d.signum() == 0) {
      throw new ArithmeticException("zero denominator");
    }
    if (d.signum() < 0) {
      n = n.negate();
      d = d.negate();
    }
    if (!d.equals(BigInteger.ONE)) {
      BigInteger g = n.gcd(d);
      if (!g.equals(BigInteger.ONE)) {
        n = n.divide(g);
        d = d.divide(g);
      }
    }
    return new BigRational(n, d);
  }

  static BigRational of(long n, long d) {
    return of(BigInteger.valueOf(n), BigInteger.valueOf(d));
  }

  /**
   * Parses a plain decimal literal such as {@code 12}, {@code 0.125}, {@code .5} or {@code 1.5e-3}.
   * Returns null when the text is not such a literal or its exponent is out of range.
   */
  static BigRational parseDecimal(CharSequence text) {
    int n = text.length();
    if (n == 0) {
      return null;
    }
    // Fast path: short plain integers.
    if (n <= 18) {
      long v = 0;
      int i = 0;
      for (; i < n; i++) {
        char c = text.charAt(i);
        if (c < '0' || c > '9') {
          break;
        }
        v = v * 10 + (c - '0');
      }
      if (i == n) {
        return of(v);
      }
    }
    try {
      BigDecimal d = new BigDecimal(text.toString());
      if (Math.abs((long) d.scale()) > 4096) {
        return null;
      }
      return of(d);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  static BigRational of(BigDecimal d) {
    if (d.scale() <= 0) {
      return of(d.toBigIntegerExact());
    }
    return of(d.unscaledValue(), BigInteger.TEN.pow(d.scale()));
  }

  boolean isInteger() {
    return den.equals(BigInteger.ONE);
  }

  int signum() {
    return num.signum();
  }

  BigRational add(BigRational o) {
    if (den.equals(BigInteger.ONE) && o.den.equals(BigInteger.ONE)) {
      return new BigRational(num.add(o.num), BigInteger.ONE);
    }
    return of(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den));
  }

  BigRational subtract(BigRational o) {
    return add(o.negate());
  }

  BigRational multiply(BigRational o) {
    if (den.equals(BigInteger.ONE) && o.den.equals(BigInteger.ONE)) {
      return new BigRational(num.multiply(o.num), BigInteger.ONE);
    }
    return of(num.multiply(o.num), den.multiply(o.den));
  }

  BigRational divide(BigRational o) {
    return of(num.multiply(o.den), den.multiply(o.num));
  }

  BigRational negate() {
    return new BigRational(num.negate(), den);
  }

  /** Integer power; null when the result would exceed {@link #MAX_BITS}. */
  BigRational pow(int e) {
    if (e == 0) {
      return ONE;
    }
    if (e < 0) {
      if (num.signum() == 0) {
        throw new ArithmeticException("zero to a negative power");
      }
      BigRational p = pow(-e);
      return p == null ? null : ONE.divide(p);
    }
    long bits = (long) Math.max(num.bitLength(), den.bitLength()) * e;
    if (bits > MAX_BITS) {
      return null;
    }
    return new BigRational(num.pow(e), den.pow(e));
  }

  /** Exact k-th root when this is a perfect k-th power of a rational, else null. */
  BigRational root(int k) {
    if (k == 1) {
      return this;
    }
    if (num.signum() < 0) {
      if (k % 2 == 0) {
        return null;
      }
      BigRational r = negate().root(k);
      return r == null ? null : r.negate();
    }
    BigInteger rn = integerRoot(num, k);
    BigInteger rd = integerRoot(den, k);
    return rn == null || rd == null ? null : new BigRational(rn, rd);
  }

  private static BigInteger integerRoot(BigInteger x, int k) {
    if (x.signum() == 0 || x.equals(BigInteger.ONE)) {
      return x;
    }
    if (k == 2) {
      BigInteger r = x.sqrt();
      return r.multiply(r).equals(x) ? r : null;
    }
    if (x.bitLength() < 62) {
      long v = x.longValue();
      long r = Math.round(Math.pow(v, 1.0 / k));
      for (long c = Math.max(1, r - 1); c <= r + 1; c++) {
        BigInteger p = BigInteger.valueOf(c).pow(k);
        if (p.equals(x)) {
          return BigInteger.valueOf(c);
        }
      }
      return null;
    }
    // Newton iteration on big integers.
    BigInteger kk = BigInteger.valueOf(k);
    BigInteger r = BigInteger.ONE.shiftLeft(x.bitLength() / k + 1);
    while (true) {
      BigInteger next = r.multiply(kk.subtract(BigInteger.ONE)).add(x.divide(r.pow(k - 1))).divide(kk);
      if (next.compareTo(r) >= 0) {
        break;
      }
      r = next;
    }
    return r.pow(k).equals(x) ? r : null;
  }

  double toDouble() {
    if (den.equals(BigInteger.ONE)) {
      return num.doubleValue();
    }
    double n = num.doubleValue();
    double d = den.doubleValue();
    if (Double.isInfinite(n) || Double.isInfinite(d)) {
      return new BigDecimal(num).divide(new BigDecimal(den), java.math.MathContext.DECIMAL64).doubleValue();
    }
    return n / d;
  }

  @Override
  public int compareTo(BigRational o) {
    return num.multiply(o.den).compareTo(o.num.multiply(den));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BigRational r && num.equals(r.num) && den.equals(r.den);
  }

  @Override
  public int hashCode() {
    return num.hashCode() * 31 + den.hashCode();
  }

  @Override
  public String toString() {
    return den.equals(BigInteger.ONE) ? num.toString() : num + "/" + den;
  }
}
