package com.replaylake.policy.checkpoint;

/** Element types of safetensors files that the policy reads ({@code F32, BF16, F16}) and writes. */
public enum TensorDtype {
  F32(4, "float32"),
  BF16(2, "bfloat16"),
  F16(2, "float16");

  private final int bytes;
  private final String torchName;

  TensorDtype(int bytes, String torchName) {
    this.bytes = bytes;
    this.torchName = torchName;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** The name HF uses for it in {@code config.json}'s {@code torch_dtype}. */
  public String torchName() {
    return torchName;
  }

  /** Rounds a float to bfloat16 bits, round-to-nearest-even; NaN stays a (quiet) NaN. */
  public static short toBf16Bits(float f) {
    int bits = Float.floatToRawIntBits(f);
    if (Float.isNaN(f)) {
      return (short) ((bits >>> 16) | 0x0040);
    }
    int roundingBias = 0x7FFF + ((bits >>> 16) & 1);
    return (short) ((bits + roundingBias) >>> 16);
  }

  /** The float that bfloat16 bits stand for (exact). */
  public static float fromBf16Bits(short b) {
    return Float.intBitsToFloat((b & 0xFFFF) << 16);
  }

  /** The float that IEEE half-precision bits stand for (exact). */
  public static float fromF16Bits(short h) {
    int bits = h & 0xFFFF;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) {
      return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant * 0x1p-24f;
      return sign == 0 ? v : -v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
