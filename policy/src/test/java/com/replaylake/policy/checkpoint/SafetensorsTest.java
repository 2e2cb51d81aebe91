package com.replaylake.policy.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.replaylake.policy.PolicyException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
  @TempDir Path dir;

  @Test
  void bf16RoundsToNearestEven() {
    // 1 + 2^-8 lies halfway between bf16 1.0 and 1 + 2^-7: ties go to the even mantissa (1.0).
    assertThat(TensorDtype.toBf16Bits(1f + 0x1p-8f)).isEqualTo((short) 0x3F80);
    // 1 + 3·2^-8 is halfway between 1 + 2^-7 (odd) and 1 + 2^-6 (even): rounds up.
    assertThat(TensorDtype.toBf16Bits(1f + 3 * 0x1p-8f)).isEqualTo((short) 0x3F82);
    // Just above halfway rounds up.
    assertThat(TensorDtype.toBf16Bits(Math.nextUp(1f + 0x1p-8f))).isEqualTo((short) 0x3F81);
    assertThat(TensorDtype.toBf16Bits(-2.5f)).isEqualTo((short) 0xC020);
    assertThat(TensorDtype.fromBf16Bits(TensorDtype.toBf16Bits(Float.POSITIVE_INFINITY)))
        .isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(TensorDtype.fromBf16Bits(TensorDtype.toBf16Bits(Float.NaN))).isNaN();
    // The largest finite float rounds to infinity, as in PyTorch.
    assertThat(TensorDtype.fromBf16Bits(TensorDtype.toBf16Bits(Float.MAX_VALUE)))
        .isEqualTo(Float.POSITIVE_INFINITY);
  }

  @Test
  void f16DecodesExactly() {
    assertThat(TensorDtype.fromF16Bits((short) 0x3C00)).isEqualTo(1f);
    assertThat(TensorDtype.fromF16Bits((short) 0xC000)).isEqualTo(-2f);
    assertThat(TensorDtype.fromF16Bits((short) 0x7BFF)).isEqualTo(65504f);
    assertThat(TensorDtype.fromF16Bits((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(TensorDtype.fromF16Bits((short) 0x3555)).isEqualTo(0.33325195f);
    assertThat(TensorDtype.fromF16Bits((short) 0x7C00)).isEqualTo(Float.POSITIVE_INFINITY);
    assertThat(TensorDtype.fromF16Bits((short) 0x8000)).isEqualTo(-0f);
  }

  @Test
  void writtenFileHasTheSpecifiedLayout() throws IOException {
    TensorData a = new TensorData("a", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6});
    TensorData b = new TensorData("b.bias", new long[] {1}, new float[] {-1.5f});
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafetensorsWriter.write(out, List.of(a, b), TensorDtype.F32, Map.of("step", "3"));
    byte[] bytes = out.toByteArray();
    long n = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertThat(n % 8).isZero();
    String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
    assertThat(header).contains("\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}")
        .contains("\"b.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[24,28]}")
        .contains("\"__metadata__\":{\"format\":\"pt\",\"step\":\"3\"}");
    assertThat(bytes).hasSize((int) (8 + n + 28));
    float first = ByteBuffer.wrap(bytes, (int) (8 + n), 4).order(ByteOrder.LITTLE_ENDIAN)
        .getFloat();
    assertThat(first).isEqualTo(1f);

    List<TensorData> back = new ArrayList<>();
    SafetensorsReader.read(new ByteArrayInputStream(bytes), "mem", back::add);
    assertThat(back).extracting(TensorData::name).containsExactly("a", "b.bias");
    assertThat(back.get(0).values()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(back.get(0).shape()).containsExactly(2, 3);
    assertThat(back.get(1).values()).containsExactly(-1.5f);
  }

  @Test
  void bf16FileRoundTripsThroughAChannel() throws IOException {
    float[] v = {0.1f, -3.3f, 1e-20f, 12345.678f};
    Path f = dir.resolve("x.safetensors");
    try (var out = Files.newOutputStream(f)) {
      SafetensorsWriter.write(out, List.of(new TensorData("w", new long[] {4}, v)),
          TensorDtype.BF16, Map.of());
    }
    assertThat(Files.size(f) % 2).isZero();
    List<TensorData> back = new ArrayList<>();
    SafetensorsReader.read(f, back::add);
    float[] got = back.get(0).values();
    for (int i = 0; i < v.length; i++) {
      assertThat(got[i]).isEqualTo(TensorDtype.fromBf16Bits(TensorDtype.toBf16Bits(v[i])));
      assertThat(Math.abs(got[i] - v[i])).isLessThanOrEqualTo(Math.abs(v[i]) * 0x1p-8f);
    }
  }

  @Test
  void readsHandMadeF16FileWithGapAndUnorderedHeader() throws IOException {
    String header = "{\"late\":{\"dtype\":\"F16\",\"shape\":[1],\"data_offsets\":[4,6]},"
        + "\"early\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bb = ByteBuffer.allocate(8 + h.length + 6).order(ByteOrder.LITTLE_ENDIAN);
    bb.putLong(h.length).put(h).putShort((short) 0x3C00).putShort((short) 0x4000)
        .putShort((short) 0xBC00);
    List<TensorData> back = new ArrayList<>();
    SafetensorsReader.read(new ByteArrayInputStream(bb.array()), "hand", back::add);
    assertThat(back).extracting(TensorData::name).containsExactly("early", "late");
    assertThat(back.get(0).values()).containsExactly(1f, 2f);
    assertThat(back.get(1).values()).containsExactly(-1f);
  }

  @Test
  void corruptFilesFailWithTheReason() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    SafetensorsWriter.write(out,
        List.of(new TensorData("model.norm.weight", new long[] {8}, new float[8])),
        TensorDtype.F32, Map.of());
    byte[] full = out.toByteArray();
    byte[] truncated = Arrays.copyOf(full, full.length - 5);
    Path f = dir.resolve("t.safetensors");
    Files.write(f, truncated);
    assertThatThrownBy(() -> SafetensorsReader.read(f, t -> { }))
        .isInstanceOf(PolicyException.class)
        .hasMessageContaining("t.safetensors").hasMessageContaining("truncated");
    assertThatThrownBy(() -> SafetensorsReader.read(
        new ByteArrayInputStream(truncated), "s", t -> { }))
        .isInstanceOf(PolicyException.class).hasMessageContaining("model.norm.weight");

    String header = "{\"w\":{\"dtype\":\"I8\",\"shape\":[1],\"data_offsets\":[0,1]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer bb = ByteBuffer.allocate(8 + h.length + 1).order(ByteOrder.LITTLE_ENDIAN);
    bb.putLong(h.length).put(h).put((byte) 1);
    assertThatThrownBy(() -> SafetensorsReader.read(
        new ByteArrayInputStream(bb.array()), "i8", t -> { }))
        .isInstanceOf(PolicyException.class).hasMessageContaining("'w'").hasMessageContaining("I8");

    String bad = "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}";
    byte[] hb = bad.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b2 = ByteBuffer.allocate(8 + hb.length + 8).order(ByteOrder.LITTLE_ENDIAN);
    b2.putLong(hb.length).put(hb);
    assertThatThrownBy(() -> SafetensorsReader.read(
        new ByteArrayInputStream(b2.array()), "off", t -> { }))
        .isInstanceOf(PolicyException.class).hasMessageContaining("data_offsets");

    byte[] junk = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-3).array();
    assertThatThrownBy(() -> SafetensorsReader.read(new ByteArrayInputStream(junk), "j", t -> { }))
        .isInstanceOf(PolicyException.class).hasMessageContaining("header length");
  }
}
