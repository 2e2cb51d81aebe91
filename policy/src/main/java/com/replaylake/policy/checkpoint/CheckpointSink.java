package com.replaylake.policy.checkpoint;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a checkpoint's files are written, by name relative to the checkpoint folder (a local
 * directory here; a Hadoop FileSystem folder in the Spark jobs).
 */
public interface CheckpointSink {
  /** Creates or replaces the named file; the caller closes the stream. */
  OutputStream create(String name) throws IOException;

  /** Describes the location in error messages. */
  String describe();

  /** A local directory, created if needed. */
  static CheckpointSink directory(Path dir) {
    return new CheckpointSink() {
      @Override
      public OutputStream create(String name) throws IOException {
        Files.createDirectories(dir);
        return Files.newOutputStream(dir.resolve(name));
      }

      @Override
      public String describe() {
        return dir.toString();
      }
    };
  }
}
