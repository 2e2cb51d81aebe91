package com.replaylake.jobs.analyze;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replaylake.policy.checkpoint.PolicyCheckpoint;
import com.replaylake.policy.checkpoint.SafetensorsReader;
import com.replaylake.policy.checkpoint.TensorData;
import com.replaylake.policy.checkpoint.TensorDtype;
import com.replaylake.schemas.Errors;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where each tensor of an HF checkpoint lies (file, dtype, shape, absolute byte range), read from
 * the safetensors headers only, and positioned reads of one tensor's byte range through Hadoop FS
 * ({@code FSDataInputStream.readFully(position, ...)}), so an executor fetches just the bytes of
 * the tensor it analyzes from {@code file:}, {@code hdfs://} or {@code s3a://}.
 */
public final class CheckpointTensors {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int READ_CHUNK = 16 << 20;

  private CheckpointTensors() {}

  /** One tensor's place in a checkpoint. */
  public record TensorSlice(String name, String file, String dtype, long[] shape, long begin, long end)
      implements Serializable {
    @Override
    public long[] shape() {
      return shape.clone();
    }

    public long numel() {
      return TensorData.numel(shape);
    }

    public String describe() {
      return name + " " + dtype + Arrays.toString(shape) + " in " + file;
    }
  }

  /**
   * Every tensor of the checkpoint folder: {@code model.safetensors}, or the shards named by
   * {@code model.safetensors.index.json}. Reads only the headers.
   */
  public static Map<String, TensorSlice> list(String folderUri, Configuration conf) {
    try {
      Path index = new Path(folderUri, PolicyCheckpoint.WEIGHTS_INDEX);
      FileSystem fs = index.getFileSystem(conf);
      TreeSet<String> files = new TreeSet<>();
      if (fs.isFile(index)) {
        JsonNode map;
        try (InputStream in = fs.open(index)) {
          JsonNode root = JSON.readTree(in);
          map = root == null ? null : root.get("weight_map");
        }
        if (map == null || !map.isObject() || map.isEmpty()) {
          throw Errors.unreadableFile(index.toString(), new IOException("no weight_map in the index"));
        }
        map.elements().forEachRemaining(f -> files.add(f.asText()));
      } else {
        files.add(PolicyCheckpoint.WEIGHTS);
      }
      Map<String, TensorSlice> out = new LinkedHashMap<>();
      for (String name : files) {
        Path file = new Path(folderUri, name);
        if (!file.getFileSystem(conf).isFile(file)) {
          throw Errors.unreadableFile(file.toString(), new IOException(
              "missing: a checkpoint needs model.safetensors or model.safetensors.index.json and its shards"));
        }
        SafetensorsReader.Layout layout;
        try (FSDataInputStream in = file.getFileSystem(conf).open(file, 64 << 10)) {
          layout = SafetensorsReader.readLayout(in, file.toString());
        }
        for (SafetensorsReader.TensorInfo t : layout.tensors()) {
          out.put(t.name(), new TensorSlice(t.name(), file.toString(), t.dtype(), t.shape(),
              layout.dataStart() + t.begin(), layout.dataStart() + t.end()));
        }
      }
      return out;
    } catch (IOException e) {
      throw Errors.unreadableFile(folderUri, e);
    }
  }

  /** The tensor's values as float32 (exact for F32, BF16, F16), reading only its byte range. */
  public static float[] read(TensorSlice t, Configuration conf) throws IOException {
    TensorDtype dtype = TensorDtype.valueOf(t.dtype());
    long numel = t.numel();
    if (numel > Integer.MAX_VALUE - 8) {
      throw new IOException("tensor " + t.describe() + " has more than 2^31 entries");
    }
    float[] out = new float[(int) numel];
    int elem = dtype.bytes();
    byte[] buf = new byte[(int) Math.min(t.end() - t.begin(), (READ_CHUNK / elem) * elem)];
    Path file = new Path(t.file());
    try (FSDataInputStream in = file.getFileSystem(conf).open(file)) {
      int done = 0;
      while (done < out.length) {
        int count = Math.min(out.length - done, buf.length / elem);
        in.readFully(t.begin() + (long) done * elem, buf, 0, count * elem);
        SafetensorsReader.decode(buf, 0, count, dtype, out, done);
        done += count;
      }
    }
    return out;
  }
}
