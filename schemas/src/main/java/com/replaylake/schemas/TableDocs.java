package com.replaylake.schemas;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Renders docs/TABLES.md from the contracts, so the table reference cannot drift from the code.
 * {@code TableDocsTest} fails when the committed file differs; regenerate with
 * {@code java -cp ... com.replaylake.schemas.TableDocs docs/TABLES.md}.
 */
public final class TableDocs {
  private TableDocs() {}

  public static String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("# Table reference\n\n")
        .append("Generated from `schemas/src/main/java/com/replaylake/schemas/Tables.java` by `TableDocs`; ")
        .append("a test keeps this file in sync. Every table is a Delta table at `<lakehouse>/tables/<name>` ")
        .append("and a temporary view of the same name in every ReplayLake Spark session ")
        .append("(`bin/replaylake sql \"SELECT ... FROM <name>\"`). Column docs are also stored as Delta column ")
        .append("comments (shown by `DESCRIBE`). Contracts evolve only additively.\n\n")
        .append("Checkpoints live at `<lakehouse>/checkpoints/<run_id>/v<version>/` in Hugging Face layout.\n\n");
    for (TableContract t : Tables.ALL) {
      sb.append("## `").append(t.name()).append("`\n\n").append(t.doc()).append("\n\n");
      sb.append("Partitioned by: ")
          .append(t.partitionColumns().isEmpty() ? "nothing" : "`" + String.join("`, `", t.partitionColumns()) + "`")
          .append(".\n\n");
      sb.append("| column | type | nullable | description |\n|---|---|---|---|\n");
      for (ColumnSpec c : t.columns()) {
        sb.append("| `").append(c.name()).append("` | `").append(c.type().simpleString()).append("` | ")
            .append(c.nullable() ? "yes" : "no").append(" | ").append(c.doc().replace("|", "\\|")).append(" |\n");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  public static void main(String[] args) throws IOException {
    Path out = Path.of(args.length > 0 ? args[0] : "docs/TABLES.md");
    Files.writeString(out, render(), StandardCharsets.UTF_8);
    System.out.println("wrote " + out.toAbsolutePath());
  }
}
