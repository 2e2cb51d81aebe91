package com.replaylake.policy.checkpoint;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;

/**
 * Writes the safetensors format in one sequential pass (so any {@link OutputStream}, including a
 * Hadoop one, will do): the header is padded with spaces to a multiple of 8 bytes, tensors are
 * laid out in the given order, values are stored as F32 or as BF16 rounded to nearest even.
 */
public final class SafetensorsWriter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CHUNK_ELEMENTS = 1 << 18;

  private SafetensorsWriter() {}

  /** Writes {@code tensors} in iteration order; {@code out} is flushed but not closed. */
  public static void write(
      OutputStream out, Collection<TensorData> tensors, TensorDtype dtype, Map<String, String> meta)
      throws IOException {
    if (dtype == TensorDtype.F16) {
      throw new IllegalArgumentException("Cannot write F16 safetensors: write F32 or BF16");
    }
    ObjectNode header = JSON.createObjectNode();
    ObjectNode metaNode = header.putObject("__metadata__");
    metaNode.put("format", "pt");
    meta.forEach(metaNode::put);
    long offset = 0;
    for (TensorData t : tensors) {
      if (header.has(t.name())) {
        throw new IllegalArgumentException("Cannot write tensor '" + t.name() + "' twice");
      }
      ObjectNode e = header.putObject(t.name());
      e.put("dtype", dtype.name());
      ArrayNode shape = e.putArray("shape");
      for (long d : t.shape()) {
        shape.add(d);
      }
      long len = (long) t.values().length * dtype.bytes();
      ArrayNode off = e.putArray("data_offsets");
      off.add(offset);
      off.add(offset + len);
      offset += len;
    }
    byte[] json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
    int padded = (json.length + 7) / 8 * 8;
    byte[] headerBytes = new byte[padded];
    System.arraycopy(json, 0, headerBytes, 0, json.length);
    for (int i = json.length; i < padded; i++) {
      headerBytes[i] = ' ';
    }
    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
    out.write(headerBytes);
    ByteBuffer buf =
        ByteBuffer.allocate(CHUNK_ELEMENTS * dtype.bytes()).order(ByteOrder.LITTLE_ENDIAN);
    for (TensorData t : tensors) {
      float[] v = t.values();
      for (int start = 0; start < v.length; start += CHUNK_ELEMENTS) {
        int end = Math.min(v.length, start + CHUNK_ELEMENTS);
        buf.clear();
        if (dtype == TensorDtype.F32) {
          for (int i = start; i < end; i++) {
            buf.putFloat(v[i]);
          }
        } else {
          for (int i = start; i < end; i++) {
            buf.putShort(TensorDtype.toBf16Bits(v[i]));
          }
        }
        out.write(buf.array(), 0, buf.position());
      }
    }
    out.flush();
  }
}
