package com.replaylake.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class TableDocsTest {

  @Test
  void committedTableReferenceMatchesTheContracts() throws Exception {
    Path doc = Path.of("..", "docs", "TABLES.md");
    assertThat(doc).as("docs/TABLES.md").exists();
    assertThat(Files.readString(doc))
        .as("docs/TABLES.md is stale: regenerate with TableDocs (see its javadoc)")
        .isEqualTo(TableDocs.render());
  }

  @Test
  void everyColumnIsDocumented() {
    String doc = TableDocs.render();
    for (TableContract t : Tables.ALL) {
      for (ColumnSpec c : t.columns()) {
        assertThat(doc).contains("| `" + c.name() + "` |");
      }
    }
  }
}
