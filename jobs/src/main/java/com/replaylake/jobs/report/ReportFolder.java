package com.replaylake.jobs.report;

import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;

/**
 * Where reports go: {@code <lakehouse>/reports/<name>} or an explicit folder, on any Hadoop file
 * system. Files are written to a local folder; for a remote target that folder is a temporary one
 * copied to the target afterwards (replacing an earlier report of the same name).
 */
public final class ReportFolder {
  /** Writes the report's files into the given local folder. */
  public interface Writer {
    void write(Path dir) throws IOException;
  }

  private ReportFolder() {}

  /** The default target of report {@code name}: {@code <lakehouse>/reports/<name>}. */
  public static String defaultTarget(Lakehouse lakehouse, String name) {
    return lakehouse.base().replaceAll("/+$", "") + "/reports/" + name;
  }

  /** Runs {@code writer} on a local folder and puts its files at {@code target}; returns the location. */
  public static String write(Lakehouse lakehouse, String target, Writer writer) {
    URI uri = URI.create(target.contains(":") ? target : Path.of(target).toAbsolutePath().toUri().toString());
    boolean local = uri.getScheme() == null || "file".equals(uri.getScheme());
    try {
      Path dir = local ? Path.of(uri) : Files.createTempDirectory("replaylake-report");
      Files.createDirectories(dir);
      writer.write(dir);
      if (local) {
        return dir.toString();
      }
      Configuration conf = lakehouse.spark().sparkContext().hadoopConfiguration();
      org.apache.hadoop.fs.Path dst = new org.apache.hadoop.fs.Path(target);
      FileSystem fs = dst.getFileSystem(conf);
      fs.delete(dst, true);
      FileUtil.copy(FileSystem.getLocal(conf), new org.apache.hadoop.fs.Path(dir.toUri()), fs, dst, false, conf);
      return target;
    } catch (IOException e) {
      throw Errors.unreadableFile(target, e);
    }
  }
}
