package com.replaylake.jobs.policy;

import com.replaylake.policy.checkpoint.CheckpointSink;
import com.replaylake.policy.checkpoint.CheckpointSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** Checkpoint files read and written through Hadoop FS, so {@code s3a://} and {@code hdfs://} work. */
public final class HadoopCheckpoints {
  private HadoopCheckpoints() {}

  public static CheckpointSource source(String folderUri, Configuration conf) {
    return new CheckpointSource() {
      @Override
      public boolean exists(String name) throws IOException {
        Path p = new Path(folderUri, name);
        return p.getFileSystem(conf).isFile(p);
      }

      @Override
      public InputStream open(String name) throws IOException {
        Path p = new Path(folderUri, name);
        return p.getFileSystem(conf).open(p, 1 << 20);
      }

      @Override
      public String describe() {
        return folderUri;
      }
    };
  }

  public static CheckpointSink sink(String folderUri, Configuration conf) {
    return new CheckpointSink() {
      @Override
      public OutputStream create(String name) throws IOException {
        Path p = new Path(folderUri, name);
        FileSystem fs = p.getFileSystem(conf);
        return fs.create(p, true);
      }

      @Override
      public String describe() {
        return folderUri;
      }
    };
  }
}
