package com.replaylake.jobs.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** docs/CONFIG.md, conf/run.properties and the bundled demo config stay in step with RunConfig. */
class RunConfigDocsTest {
  @Test
  void configReferenceListsEveryKey() throws Exception {
    assertThat(Files.readString(Path.of("..", "docs", "CONFIG.md")))
        .as("docs/CONFIG.md is stale: paste RunConfig.markdown() into the run section")
        .contains(RunConfig.markdown());
    assertThat(Files.readString(Path.of("..", "conf", "run.properties")))
        .as("conf/run.properties is stale: bin/replaylake run --print-config > conf/run.properties")
        .isEqualTo(RunConfig.template());
  }

  @Test
  void demoConfigIsValidAndMatchesTheDefaults() throws Exception {
    RunConfig demo = RunConfig.load("classpath:demo.properties", java.util.Map.of());
    Properties props = new Properties();
    try (var in = getClass().getClassLoader().getResourceAsStream("demo.properties")) {
      props.load(in);
    }
    RunConfig defaults = RunConfig.defaults();
    for (String key : props.stringPropertyNames()) {
      assertThat(demo.string(key)).as(key).isEqualTo(defaults.string(key));
    }
  }
}
