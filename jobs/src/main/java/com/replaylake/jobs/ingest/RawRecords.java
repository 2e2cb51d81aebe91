package com.replaylake.jobs.ingest;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.replaylake.schemas.Errors;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.function.BiConsumer;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Reads source files as a sequence of JSON objects with their locations. JSONL is streamed on the
 * driver (so every error names file, line and column); Parquet is read by Spark and each row is
 * turned into the same JSON shape (errors name file and row).
 */
public final class RawRecords {
  private RawRecords() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Streams a JSONL file through Hadoop FS (any URI scheme) or from the classpath ({@code classpath:}). */
  public static void readJsonl(SparkSession spark, String file, BiConsumer<RecordLocation, JsonNode> visitor) {
    try (InputStream in = open(spark, file)) {
      readJsonl(file, in, visitor);
    } catch (IOException e) {
      throw Errors.unreadableFile(file, e);
    }
  }

  static void readJsonl(String file, InputStream in, BiConsumer<RecordLocation, JsonNode> visitor) throws IOException {
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, decoder), 1 << 16);
    long lineNo = 0;
    while (true) {
      String line;
      try {
        line = reader.readLine();
      } catch (CharacterCodingException e) {
        throw Errors.badInput(file, lineNo + 1, 0, "not valid UTF-8");
      }
      if (line == null) {
        break;
      }
      lineNo++;
      if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
        line = line.substring(1);
      }
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = JSON.readTree(line);
      } catch (JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        int column = loc == null ? 0 : Math.max(1, loc.getColumnNr());
        throw Errors.badInput(file, lineNo, column, "malformed JSON (" + e.getOriginalMessage() + ")");
      }
      if (node == null || !node.isObject()) {
        throw Errors.badInput(file, lineNo, 1, "expected a JSON object, found " + (node == null ? "nothing" : node.getNodeType()));
      }
      visitor.accept(new RecordLocation(file, true, lineNo), node);
    }
    if (lineNo == 0) {
      throw Errors.badInput(file, 1, 0, "the file is empty");
    }
  }

  /** Reads a Parquet file or folder with Spark; each row becomes a JSON object. */
  public static void readParquet(SparkSession spark, String file, BiConsumer<RecordLocation, JsonNode> visitor) {
    Dataset<Row> frame;
    try {
      frame = spark.read().parquet(file);
    } catch (RuntimeException e) {
      throw Errors.unreadableFile(file, e);
    }
    Iterator<String> rows;
    try {
      rows = frame.toJSON().toLocalIterator();
    } catch (RuntimeException e) {
      throw Errors.unreadableFile(file, e);
    }
    long rowNo = 0;
    while (rows.hasNext()) {
      String json = rows.next();
      rowNo++;
      try {
        visitor.accept(new RecordLocation(file, false, rowNo), JSON.readTree(json));
      } catch (JsonProcessingException e) {
        throw Errors.badRecord(file, rowNo, null, "cannot convert row (" + e.getOriginalMessage() + ")");
      }
    }
    if (rowNo == 0) {
      throw Errors.badRecord(file, 0, null, "the file holds no rows");
    }
  }


  private static InputStream open(SparkSession spark, String file) throws IOException {
    if (file.startsWith("classpath:")) {
      String resource = file.substring("classpath:".length());
      InputStream in = RawRecords.class.getClassLoader().getResourceAsStream(resource);
      if (in == null) {
        throw new IOException("no such resource on the classpath: " + resource);
      }
      return in;
    }
    Path path = new Path(file);
    FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    if (fs.getFileStatus(path).isDirectory()) {
      throw new IOException("is a directory, expected a JSONL file");
    }
    return fs.open(path);
  }
}
