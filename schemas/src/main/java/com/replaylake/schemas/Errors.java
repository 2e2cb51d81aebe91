package com.replaylake.schemas;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one factory of user-facing errors. Messages follow "Cannot &lt;verb&gt;: &lt;reason&gt;"
 * and name the offending file, line, column, table or key with its value.
 */
public final class Errors {
  private Errors() {}

  public static final int BAD_INPUT = 2;
  public static final int FAILURE = 1;

  private static ReplayLakeException make(String errorClass, int exitCode, Throwable cause, String message, String... kv) {
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i + 1 < kv.length; i += 2) {
      params.put(kv[i], String.valueOf(kv[i + 1]));
    }
    return new ReplayLakeException(errorClass, params, message, exitCode, cause);
  }

  /** A table exists but its schema disagrees with the contract. */
  public static ReplayLakeException contractMismatch(String table, String location, String column, String expected, String found) {
    String what = found == null
        ? "column " + column + " is missing (expected " + expected + ")"
        : "column " + column + " has type " + found + ", expected " + expected;
    return make("TABLE_CONTRACT_MISMATCH", FAILURE, null,
        "Cannot open table " + table + " at " + location + ": " + what
            + ". The table was written by an incompatible version or by hand; migrate it or point --lakehouse elsewhere.",
        "table", table, "location", location, "column", column, "expected", expected, "found", found);
  }

  public static ReplayLakeException partitioningMismatch(String table, String location, String expected, String found) {
    return make("TABLE_PARTITIONING_MISMATCH", FAILURE, null,
        "Cannot open table " + table + " at " + location + ": partitioned by " + found + ", expected " + expected + ".",
        "table", table, "location", location, "expected", expected, "found", found);
  }

  public static ReplayLakeException notADeltaTable(String table, String location) {
    return make("NOT_A_DELTA_TABLE", FAILURE, null,
        "Cannot open table " + table + ": " + location + " exists but is not a Delta table (no _delta_log). "
            + "Move it away or choose another --lakehouse.",
        "table", table, "location", location);
  }

  public static ReplayLakeException lakehouseUnavailable(String location, Throwable cause) {
    return make("LAKEHOUSE_UNAVAILABLE", FAILURE, cause,
        "Cannot open lakehouse " + location + ": " + rootMessage(cause),
        "location", location);
  }

  public static ReplayLakeException unknownTable(String table) {
    return make("UNKNOWN_TABLE", BAD_INPUT, null,
        "Cannot find table " + table + ": known tables are " + Tables.ALL.stream().map(TableContract::name).toList(),
        "table", table);
  }

  /** Bad input in a line-oriented file; column is 1-based or 0 when unknown. */
  public static ReplayLakeException badInput(String file, long line, int column, String reason) {
    String where = file + ":" + line + (column > 0 ? ":" + column : "");
    return make("BAD_INPUT", BAD_INPUT, null,
        "Cannot read " + where + ": " + reason + ". Nothing was written.",
        "file", file, "line", Long.toString(line), "column", Integer.toString(column));
  }

  /** Bad input in a record-oriented file (Parquet): names the row and field. */
  public static ReplayLakeException badRecord(String file, long row, String field, String reason) {
    return make("BAD_RECORD", BAD_INPUT, null,
        "Cannot read " + file + " row " + row + (field == null ? "" : " field " + field) + ": " + reason
            + ". Nothing was written.",
        "file", file, "row", Long.toString(row), "field", field);
  }

  public static ReplayLakeException unreadableFile(String file, Throwable cause) {
    return make("UNREADABLE_FILE", BAD_INPUT, cause,
        "Cannot read " + file + ": " + rootMessage(cause) + ". Nothing was written.",
        "file", file);
  }


  public static ReplayLakeException invalidOption(String option, String value, String reason) {
    return make("INVALID_OPTION", BAD_INPUT, null,
        "Cannot use " + option + "=" + value + ": " + reason,
        "option", option, "value", value);
  }

  public static ReplayLakeException invalidConfig(String source, String key, String value, String reason) {
    return make("INVALID_CONFIG", BAD_INPUT, null,
        "Cannot use config key " + key + (value == null ? "" : "=" + value) + " from " + source + ": " + reason,
        "source", source, "key", key, "value", value);
  }

  public static ReplayLakeException queryFailed(String query, Throwable cause) {
    return make("QUERY_FAILED", BAD_INPUT, cause,
        "Cannot run query: " + rootMessage(cause),
        "query", query);
  }

  /** A distributed job failed in a task; the message is the innermost cause's (the task's own error). */
  public static ReplayLakeException jobFailed(String job, Throwable cause) {
    return make("JOB_FAILED", FAILURE, cause, "Cannot run " + job + ": " + innermostMessage(cause), "job", job);
  }

  /** The first line of the innermost non-empty message of a cause chain. */
  public static String innermostMessage(Throwable t) {
    String found = null;
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String m = c.getMessage();
      if (m != null && !m.isBlank()) {
        found = m.strip().lines().findFirst().orElse(m).strip();
      }
    }
    return found == null ? t.getClass().getSimpleName() : found;
  }

  /** The first line of the outermost non-empty message of a cause chain, without a stack trace. */
  public static String rootMessage(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      String m = c.getMessage();
      if (m != null && !m.isBlank()) {
        String line = m.strip().lines().findFirst().orElse(m).strip();
        return line;
      }
    }
    return t.getClass().getSimpleName();
  }
}
