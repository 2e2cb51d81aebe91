package com.replaylake.udfs.verify;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BigRationalTest {
  @ParameterizedTest
  @CsvSource({"12, 12", "0.125, 1/8", ".5, 1/2", "1.5e-3, 3/2000", "2E3, 2000", "007, 7",
      "123456789012345678901234567890, 123456789012345678901234567890"})
  void parsesDecimals(String text, String expected) {
    assertThat(BigRational.parseDecimal(text).toString()).isEqualTo(expected);
  }

  @Test
  void rejectsNonDecimals() {
    assertThat(BigRational.parseDecimal("1/2")).isNull();
    assertThat(BigRational.parseDecimal("")).isNull();
    assertThat(BigRational.parseDecimal("1e999999")).isNull();
  }

  @Test
  void arithmeticIsExactAndNormalized() {
    BigRational third = BigRational.of(1, 3);
    assertThat(third.add(third).add(third)).isEqualTo(BigRational.ONE);
    assertThat(BigRational.of(2, -4)).isEqualTo(BigRational.of(-1, 2));
    assertThat(BigRational.of(3, 4).multiply(BigRational.of(4, 3))).isEqualTo(BigRational.ONE);
    assertThat(BigRational.of(1, 2).divide(BigRational.of(1, 4))).isEqualTo(BigRational.of(2));
    assertThat(BigRational.of(2).pow(100).num).isEqualTo(BigInteger.TWO.pow(100));
    assertThat(BigRational.of(2, 3).pow(-2)).isEqualTo(BigRational.of(9, 4));
    assertThat(BigRational.of(2).pow(1 << 20)).as("too large to compute exactly").isNull();
  }

  @Test
  void rootsAreExactOnlyForPerfectPowers() {
    assertThat(BigRational.of(9, 4).root(2)).isEqualTo(BigRational.of(3, 2));
    assertThat(BigRational.of(-27).root(3)).isEqualTo(BigRational.of(-3));
    assertThat(BigRational.of(2).root(2)).isNull();
    assertThat(BigRational.of(-4).root(2)).isNull();
    BigInteger big = BigInteger.TEN.pow(40).add(BigInteger.valueOf(7));
    assertThat(BigRational.of(big.pow(3)).root(3)).isEqualTo(BigRational.of(big));
    assertThat(BigRational.of(big.pow(3).add(BigInteger.ONE)).root(3)).isNull();
  }

  @Test
  void convertsToDoubleEvenWhenHuge() {
    assertThat(BigRational.of(1, 3).toDouble()).isEqualTo(1.0 / 3);
    BigInteger huge = BigInteger.TEN.pow(400);
    assertThat(BigRational.of(huge.add(BigInteger.ONE), huge).toDouble()).isEqualTo(1.0);
  }
}
