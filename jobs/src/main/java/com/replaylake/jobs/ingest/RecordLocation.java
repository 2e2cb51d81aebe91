package com.replaylake.jobs.ingest;

import com.replaylake.schemas.Errors;
import com.replaylake.schemas.ReplayLakeException;

/** Where a raw record sits in its file: a 1-based line (JSONL) or a 1-based row (Parquet). */
public record RecordLocation(String file, boolean lineOriented, long index) {

  public ReplayLakeException error(String field, String reason) {
    if (lineOriented) {
      return Errors.badInput(file, index, 0, field == null ? reason : "field " + field + ": " + reason);
    }
    return Errors.badRecord(file, index, field, reason);
  }

  public ReplayLakeException error(int column, String reason) {
    return Errors.badInput(file, index, column, reason);
  }

  @Override
  public String toString() {
    return lineOriented ? file + ":" + index : file + " row " + index;
  }
}
