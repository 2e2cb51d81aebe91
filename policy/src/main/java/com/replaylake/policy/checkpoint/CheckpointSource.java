package com.replaylake.policy.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where a checkpoint's files are read from, by name relative to the checkpoint folder. The policy
 * module ships a local-directory source; a Spark job can implement this over Hadoop's FileSystem
 * without this module depending on Hadoop.
 */
public interface CheckpointSource {
  /** Whether the named file exists. */
  boolean exists(String name) throws IOException;

  /** Opens the named file for one sequential read; the caller closes the stream. */
  InputStream open(String name) throws IOException;

  /** Describes the location in error messages. */
  String describe();

  /** A local directory. */
  static CheckpointSource directory(Path dir) {
    return new CheckpointSource() {
      @Override
      public boolean exists(String name) {
        return Files.isRegularFile(dir.resolve(name));
      }

      @Override
      public InputStream open(String name) throws IOException {
        return Files.newInputStream(dir.resolve(name));
      }

      @Override
      public String describe() {
        return dir.toString();
      }
    };
  }
}
