package com.replaylake.policy.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replaylake.policy.PolicyErrors;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Reads the safetensors format (8-byte little-endian header length, a JSON header mapping tensor
 * names to {@code dtype}, {@code shape} and {@code data_offsets}, then the raw little-endian
 * data). Works from a plain {@link InputStream} (one sequential pass, tensors delivered in file
 * order, so a Hadoop or object-store stream is enough) or a {@link SeekableByteChannel}.
 * F32, BF16 and F16 are decoded to float32 exactly.
 */
public final class SafetensorsReader {
  /** Headers above this size are rejected as corrupt (real ones are a few hundred KB). */
  public static final long MAX_HEADER_BYTES = 100L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK = 1 << 20;

  private SafetensorsReader() {}

  /** One header entry. */
  public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {
    @Override
    public long[] shape() {
      return shape.clone();
    }
  }

  /** Receives each tensor as it is decoded. */
  @FunctionalInterface
  public interface TensorConsumer {
    void accept(TensorData tensor);
  }

  /** Reads every tensor of a file. */
  public static void read(Path file, TensorConsumer consumer) {
    try (SeekableByteChannel ch = Files.newByteChannel(file, StandardOpenOption.READ)) {
      read(ch, file.toString(), consumer);
    } catch (IOException e) {
      throw PolicyErrors.io("read", file.toString(), e);
    }
  }

  /** Reads every tensor from a channel positioned anywhere; its size bounds the offsets. */
  public static void read(SeekableByteChannel channel, String source, TensorConsumer consumer)
      throws IOException {
    channel.position(0);
    long size = channel.size();
    readStream(Channels.newInputStream(channel), source, size, consumer);
  }

  /** Reads every tensor from a stream at the start of the file; the stream is not closed. */
  public static void read(InputStream in, String source, TensorConsumer consumer)
      throws IOException {
    readStream(in, source, -1, consumer);
  }

  /** Reads only the header of a file: names, dtypes, shapes, offsets (sorted by offset). */
  public static List<TensorInfo> readHeader(InputStream in, String source) throws IOException {
    return parseHeader(in, source, -1).tensors;
  }

  private record Header(List<TensorInfo> tensors, long headerBytes) {}

  /**
   * The header of a file and where its data starts: tensor {@code t} occupies the absolute byte
   * range [{@code dataStart + t.begin()}, {@code dataStart + t.end()}), so one tensor can be read
   * with a positioned read without touching the others.
   */
  public record Layout(List<TensorInfo> tensors, long dataStart) {
    public Layout {
      tensors = List.copyOf(tensors);
    }
  }

  /** Reads only the header (8 + header-length bytes) of a file from a stream at its start. */
  public static Layout readLayout(InputStream in, String source) throws IOException {
    Header h = parseHeader(in, source, -1);
    return new Layout(h.tensors, 8 + h.headerBytes);
  }

  /**
   * Decodes {@code count} little-endian elements of {@code dtype} from {@code bytes} starting at
   * {@code offset} into {@code out[outOffset..]}, exactly (BF16/F16 widen to float32 losslessly).
   */
  public static void decode(
      byte[] bytes, int offset, int count, TensorDtype dtype, float[] out, int outOffset) {
    ByteBuffer bb = ByteBuffer.wrap(bytes, offset, count * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case F32 -> bb.asFloatBuffer().get(out, outOffset, count);
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          out[outOffset + i] = TensorDtype.fromBf16Bits(bb.getShort());
        }
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          out[outOffset + i] = TensorDtype.fromF16Bits(bb.getShort());
        }
      }
      default -> throw new IllegalStateException(dtype.name());
    }
  }

  private static Header parseHeader(InputStream in, String source, long fileSize)
      throws IOException {
    byte[] lenBytes = readFully(in, 8, source, "header length");
    long headerLen = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES) {
      throw PolicyErrors.badSafetensors(source, "header length " + headerLen + " is not plausible");
    }
    if (fileSize >= 0 && 8 + headerLen > fileSize) {
      throw PolicyErrors.badSafetensors(
          source, "header length " + headerLen + " exceeds the file size " + fileSize);
    }
    byte[] headerBytes = readFully(in, (int) headerLen, source, "header");
    JsonNode root;
    try {
      root = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8).trim());
    } catch (IOException e) {
      throw PolicyErrors.badSafetensors(source, "header is not JSON: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw PolicyErrors.badSafetensors(source, "header is not a JSON object");
    }
    List<TensorInfo> infos = new ArrayList<>();
    Iterator<Map.Entry<String, JsonNode>> it = root.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        continue;
      }
      infos.add(parseEntry(source, e.getKey(), e.getValue()));
    }
    infos.sort(Comparator.comparingLong(TensorInfo::begin));
    long expectedBegin = 0;
    for (TensorInfo t : infos) {
      if (t.begin < expectedBegin) {
        throw PolicyErrors.badSafetensors(
            source, "tensor '" + t.name + "' overlaps the tensor before it");
      }
      expectedBegin = t.end;
    }
    if (fileSize >= 0 && 8 + headerLen + expectedBegin > fileSize) {
      throw PolicyErrors.badSafetensors(
          source, "data ends at " + (8 + headerLen + expectedBegin) + " beyond the file size "
              + fileSize + " (truncated file?)");
    }
    return new Header(infos, headerLen);
  }

  private static TensorInfo parseEntry(String source, String name, JsonNode v) {
    if (!v.isObject() || !v.has("dtype") || !v.has("shape") || !v.has("data_offsets")) {
      throw PolicyErrors.badSafetensors(
          source, "tensor '" + name + "' lacks dtype, shape or data_offsets");
    }
    String dtype = v.get("dtype").asText();
    JsonNode shapeNode = v.get("shape");
    long[] shape = new long[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = shapeNode.get(i).asLong(-1);
      if (shape[i] < 0) {
        throw PolicyErrors.badSafetensors(source, "tensor '" + name + "' has a negative dim");
      }
    }
    JsonNode off = v.get("data_offsets");
    if (!off.isArray() || off.size() != 2) {
      throw PolicyErrors.badSafetensors(source, "tensor '" + name + "' data_offsets not [b, e]");
    }
    long begin = off.get(0).asLong(-1);
    long end = off.get(1).asLong(-1);
    long numel = TensorData.numel(shape);
    int elem = elementBytes(source, name, dtype);
    if (begin < 0 || end < begin || end - begin != numel * elem) {
      throw PolicyErrors.badSafetensors(
          source, "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "] that do not"
              + " match its shape and dtype (" + numel * elem + " bytes)");
    }
    if (numel > Integer.MAX_VALUE - 8) {
      throw PolicyErrors.badSafetensors(
          source, "tensor '" + name + "' has " + numel + " elements; more than 2^31 per tensor"
              + " is not supported");
    }
    return new TensorInfo(name, dtype, shape, begin, end);
  }

  private static int elementBytes(String source, String name, String dtype) {
    try {
      return TensorDtype.valueOf(dtype).bytes();
    } catch (IllegalArgumentException e) {
      throw PolicyErrors.unsupportedDtype(source, name, dtype);
    }
  }

  private static void readStream(
      InputStream in, String source, long fileSize, TensorConsumer consumer) throws IOException {
    Header header = parseHeader(in, source, fileSize);
    long pos = 0;
    for (TensorInfo t : header.tensors) {
      skipFully(in, t.begin - pos, source);
      float[] values = decode(in, t, source);
      pos = t.end;
      consumer.accept(new TensorData(t.name, t.shape, values));
    }
  }

  private static float[] decode(InputStream in, TensorInfo t, String source) throws IOException {
    TensorDtype dtype = TensorDtype.valueOf(t.dtype);
    int n = (int) TensorData.numel(t.shape);
    float[] out = new float[n];
    int elem = dtype.bytes();
    byte[] buf = new byte[Math.max(elem, (CHUNK / elem) * elem)];
    int done = 0;
    while (done < n) {
      int count = Math.min(n - done, buf.length / elem);
      int bytes = count * elem;
      int read = in.readNBytes(buf, 0, bytes);
      if (read != bytes) {
        throw PolicyErrors.badSafetensors(
            source, "file ends inside tensor '" + t.name + "' (truncated file?)");
      }
      ByteBuffer bb = ByteBuffer.wrap(buf, 0, bytes).order(ByteOrder.LITTLE_ENDIAN);
      switch (dtype) {
        case F32 -> bb.asFloatBuffer().get(out, done, count);
        case BF16 -> {
          for (int i = 0; i < count; i++) {
            out[done + i] = TensorDtype.fromBf16Bits(bb.getShort());
          }
        }
        case F16 -> {
          for (int i = 0; i < count; i++) {
            out[done + i] = TensorDtype.fromF16Bits(bb.getShort());
          }
        }
        default -> throw new IllegalStateException(dtype.name());
      }
      done += count;
    }
    return out;
  }

  private static byte[] readFully(InputStream in, int n, String source, String what)
      throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length != n) {
      throw PolicyErrors.badSafetensors(source, "file ends inside the " + what);
    }
    return b;
  }

  private static void skipFully(InputStream in, long n, String source) throws IOException {
    long left = n;
    while (left > 0) {
      long s = in.skip(left);
      if (s <= 0) {
        if (in.read() < 0) {
          throw new EOFException("Cannot read " + source + ": file ends between tensors");
        }
        s = 1;
      }
      left -= s;
    }
  }
}
