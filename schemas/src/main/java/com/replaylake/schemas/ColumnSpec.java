package com.replaylake.schemas;

import java.util.Objects;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;

/**
 * One column of a table contract: its name, Spark type, nullability and a one-line doc.
 *
 * <p>The doc travels into the Delta schema as the column comment, so {@code DESCRIBE prompts}
 * shows it.
 */
public record ColumnSpec(String name, DataType type, boolean nullable, String doc) {

  public ColumnSpec {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(doc, "doc");
    if (!name.matches("[a-z][a-z0-9_]*")) {
      throw new IllegalArgumentException("Cannot define column: '" + name + "' is not snake_case");
    }
    if (doc.isBlank()) {
      throw new IllegalArgumentException("Cannot define column " + name + ": doc is empty");
    }
  }

  /** The Spark field, with the doc as its {@code comment} metadata. */
  public StructField toField() {
    Metadata metadata = new MetadataBuilder().putString("comment", doc).build();
    return new StructField(name, type, nullable, metadata);
  }
}
