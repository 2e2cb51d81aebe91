package com.replaylake.udfs.verify;

/** An exact Gaussian rational re + im·i. Immutable. */
final class Exact {
  static final Exact ZERO = new Exact(BigRational.ZERO, BigRational.ZERO);
  static final Exact ONE = new Exact(BigRational.ONE, BigRational.ZERO);
  static final Exact I = new Exact(BigRational.ZERO, BigRational.ONE);

  final BigRational re;
  final BigRational im;

  Exact(BigRational re, BigRational im) {
    this.re = re;
    this.im = im;
  }

  static Exact real(BigRational r) {
    return new Exact(r, BigRational.ZERO);
  }

  boolean isReal() {
    return im.signum() == 0;
  }

  boolean isZero() {
    return re.signum() == 0 && im.signum() == 0;
  }

  Exact add(Exact o) {
    return new Exact(re.add(o.re), im.add(o.im));
  }

  Exact negate() {
    return new Exact(re.negate(), im.negate());
  }

  Exact multiply(Exact o) {
    if (isReal() && o.isReal()) {
      return real(re.multiply(o.re));
    }
    return new Exact(
        re.multiply(o.re).subtract(im.multiply(o.im)), re.multiply(o.im).add(im.multiply(o.re)));
  }

  /** Quotient, or null for division by zero. */
  Exact divide(Exact o) {
    if (o.isZero()) {
      return null;
    }
    if (o.isReal()) {
      return new Exact(re.divide(o.re), im.divide(o.re));
    }
    BigRational d = o.re.multiply(o.re).add(o.im.multiply(o.im));
    Exact n = multiply(new Exact(o.re, o.im.negate()));
    return new Exact(n.re.divide(d), n.im.divide(d));
  }

  /** Integer power, or null when too large or undefined. */
  Exact pow(int e, Budget budget) {
    if (isReal()) {
      if (re.signum() == 0 && e < 0) {
        return null;
      }
      BigRational p = re.pow(e);
      return p == null ? null : real(p);
    }
    if (Math.abs(e) > 4096) {
      return null;
    }
    Exact base = e < 0 ? ONE.divide(this) : this;
    int k = Math.abs(e);
    Exact result = ONE;
    while (k > 0) {
      budget.tick();
      if ((k & 1) == 1) {
        result = result.multiply(base);
      }
      k >>= 1;
      if (k > 0) {
        base = base.multiply(base);
      }
      if (result.re.num.bitLength() > BigRational.MAX_BITS
          || base.re.num.bitLength() > BigRational.MAX_BITS) {
        return null;
      }
    }
    return result;
  }

  Complex toComplex() {
    return new Complex(re.toDouble(), im.toDouble());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Exact x && re.equals(x.re) && im.equals(x.im);
  }

  @Override
  public int hashCode() {
    return re.hashCode() * 31 + im.hashCode();
  }

  @Override
  public String toString() {
    return isReal() ? re.toString() : re + "+" + im + "i";
  }
}
