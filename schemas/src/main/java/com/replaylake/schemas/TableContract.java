package com.replaylake.schemas;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The contract of one lakehouse table: name, columns (in order, with types and docs) and
 * partition columns. Contracts evolve only additively.
 */
public final class TableContract {

  private final String name;
  private final String doc;
  private final List<ColumnSpec> columns;
  private final Map<String, ColumnSpec> byName;
  private final List<String> partitionColumns;
  private final StructType schema;

  private TableContract(String name, String doc, List<ColumnSpec> columns, List<String> partitionColumns) {
    this.name = name;
    this.doc = doc;
    this.columns = List.copyOf(columns);
    Map<String, ColumnSpec> map = new LinkedHashMap<>();
    for (ColumnSpec c : columns) {
      if (map.put(c.name(), c) != null) {
        throw new IllegalArgumentException("Cannot define table " + name + ": column " + c.name() + " appears twice");
      }
    }
    this.byName = Collections.unmodifiableMap(map);
    for (String p : partitionColumns) {
      if (!map.containsKey(p)) {
        throw new IllegalArgumentException("Cannot define table " + name + ": partition column " + p + " is not a column");
      }
    }
    this.partitionColumns = List.copyOf(partitionColumns);
    this.schema = new StructType(columns.stream().map(ColumnSpec::toField).toArray(StructField[]::new));
  }

  public static Builder builder(String name, String doc) {
    return new Builder(name, doc);
  }

  public String name() {
    return name;
  }

  public String doc() {
    return doc;
  }

  public List<ColumnSpec> columns() {
    return columns;
  }

  public List<String> columnNames() {
    return columns.stream().map(ColumnSpec::name).toList();
  }

  public Optional<ColumnSpec> column(String columnName) {
    return Optional.ofNullable(byName.get(columnName));
  }

  public List<String> partitionColumns() {
    return partitionColumns;
  }

  /** The Spark schema, column docs as comments. */
  public StructType schema() {
    return schema;
  }

  @Override
  public String toString() {
    return "TableContract[" + name + "]";
  }

  /** Builds a contract column by column. */
  public static final class Builder {
    private final String name;
    private final String doc;
    private final List<ColumnSpec> columns = new ArrayList<>();
    private final List<String> partitionColumns = new ArrayList<>();

    private Builder(String name, String doc) {
      this.name = Objects.requireNonNull(name);
      this.doc = Objects.requireNonNull(doc);
    }

    /** A column that never holds null. */
    public Builder required(String column, DataType type, String columnDoc) {
      columns.add(new ColumnSpec(column, type, false, columnDoc));
      return this;
    }

    /** A column that may hold null. */
    public Builder optional(String column, DataType type, String columnDoc) {
      columns.add(new ColumnSpec(column, type, true, columnDoc));
      return this;
    }

    public Builder partitionedBy(String... partitionColumnNames) {
      partitionColumns.addAll(List.of(partitionColumnNames));
      return this;
    }

    public TableContract build() {
      return new TableContract(name, doc, columns, partitionColumns);
    }
  }
}
