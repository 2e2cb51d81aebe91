package com.replaylake.udfs.verify;

/** A double-precision complex number for approximate evaluation. Immutable. */
final class Complex {
  static final Complex NAN = new Complex(Double.NaN, Double.NaN);

  final double re;
  final double im;

  Complex(double re, double im) {
    this.re = re;
    this.im = im;
  }

  static Complex real(double r) {
    return new Complex(r, 0);
  }

  boolean isNaN() {
    return Double.isNaN(re) || Double.isNaN(im);
  }

  boolean isFinite() {
    return Double.isFinite(re) && Double.isFinite(im);
  }

  /** True when the imaginary part is negligible relative to the real part. */
  boolean isReal() {
    return Math.abs(im) <= 1e-12 * Math.max(1.0, Math.abs(re));
  }

  double abs() {
    return Math.hypot(re, im);
  }

  Complex add(Complex o) {
    return new Complex(re + o.re, im + o.im);
  }

  Complex negate() {
    return new Complex(-re, -im);
  }

  Complex multiply(Complex o) {
    if (im == 0 && o.im == 0) {
      return real(re * o.re);
    }
    return new Complex(re * o.re - im * o.im, re * o.im + im * o.re);
  }

  Complex divide(Complex o) {
    if (im == 0 && o.im == 0) {
      return real(re / o.re);
    }
    double d = o.re * o.re + o.im * o.im;
    return new Complex((re * o.re + im * o.im) / d, (im * o.re - re * o.im) / d);
  }

  Complex pow(Complex e) {
    if (im == 0 && e.im == 0) {
      if (re >= 0 || e.re == Math.rint(e.re)) {
        return real(Math.pow(re, e.re));
      }
    }
    if (re == 0 && im == 0) {
      return e.re > 0 ? real(0) : NAN;
    }
    if (e.im == 0 && e.re == Math.rint(e.re) && Math.abs(e.re) <= 64) {
      int k = (int) Math.abs(e.re);
      Complex r = real(1);
      for (int i = 0; i < k; i++) {
        r = r.multiply(this);
      }
      return e.re < 0 ? real(1).divide(r) : r;
    }
    double logAbs = Math.log(abs());
    double arg = Math.atan2(im, re);
    double nre = e.re * logAbs - e.im * arg;
    double nim = e.im * logAbs + e.re * arg;
    double m = Math.exp(nre);
    return new Complex(m * Math.cos(nim), m * Math.sin(nim));
  }

  /** Principal square root. */
  Complex sqrt() {
    if (im == 0) {
      return re >= 0 ? real(Math.sqrt(re)) : new Complex(0, Math.sqrt(-re));
    }
    double m = abs();
    double a = Math.sqrt((m + re) / 2);
    double b = Math.copySign(Math.sqrt((m - re) / 2), im);
    return new Complex(a, b);
  }

  @Override
  public String toString() {
    return im == 0 ? Double.toString(re) : re + "+" + im + "i";
  }
}
