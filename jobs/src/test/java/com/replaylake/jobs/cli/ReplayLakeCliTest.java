package com.replaylake.jobs.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.replaylake.schemas.SparkTestSession;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReplayLakeCliTest {

  @TempDir static Path dir;
  private String lakehouse;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = ReplayLakeCli.execute(args, new PrintWriter(out, true), new PrintWriter(err, true), false);
    return new Run(code, out.toString(), err.toString());
  }

  @BeforeAll
  void setUp() throws Exception {
    SparkTestSession.get();
    lakehouse = dir.resolve("lh").toUri().toString();
    Path file = dir.resolve("toy.jsonl");
    Files.writeString(file, "{\"prompt\":\"1+1\",\"answer\":\"2\"}\n{\"prompt\":\"2+3\",\"answer\":\"5\"}\n"
        + "{\"prompt\":\"9*9\",\"answer\":\"81\"}\n");
    Run ingest = run("ingest", "--lakehouse", lakehouse, "--dataset", "toy", "--format", "jsonl", "--path", file.toString());
    assertThat(ingest.code()).as(ingest.err()).isZero();
    assertThat(ingest.out()).contains("3 records (3 new, 0 updated, 0 unchanged)").contains("toy/train");
  }

  @Test
  void everyCommandHasHelp() {
    CommandLine cli = new CommandLine(new ReplayLakeCli());
    assertThat(cli.getSubcommands()).containsKeys("init", "tables", "sql", "ingest", "demo", "verify", "rollout", "score", "learn", "register-base", "bench", "analyze", "synth", "sft", "run", "report", "compare");
    for (String name : cli.getSubcommands().keySet()) {
      if (name.equals("help")) {
        continue;
      }
      Run help = run(name, "--help");
      assertThat(help.code()).as(name).isZero();
      assertThat(help.out()).as(name).contains("Usage: replaylake " + name).contains("--lakehouse");
    }
    assertThat(run("--help").out()).contains("ingest").contains("sql").contains("tables");
  }

  @Test
  void sqlSeesRegisteredTablesInEveryFormat() {
    Run table = run("--lakehouse", lakehouse, "sql", "SELECT dataset, count(*) AS n FROM prompts GROUP BY dataset");
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out()).contains("| dataset | n |").contains("| toy     | 3 |").contains("1 row");

    Run csv = run("sql", "--lakehouse", lakehouse, "--format", "csv",
        "SELECT gold_answer, prompt FROM prompts ORDER BY CAST(gold_answer AS INT)");
    assertThat(csv.out()).isEqualTo("gold_answer,prompt\n2,1+1\n5,2+3\n81,9*9\n");

    Run json = run("sql", "--lakehouse", lakehouse, "--format", "json",
        "SELECT count(*) AS n, max(size(map_keys(metadata))) AS m FROM prompts");
    assertThat(json.out().trim()).isEqualTo("{\"n\":3,\"m\":0}");
  }

  @Test
  void sqlLimitTruncatesWithANotice() {
    Run r = run("sql", "--lakehouse", lakehouse, "--limit", "2", "SELECT * FROM prompts");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("2 rows");
    assertThat(r.err()).contains("first 2 rows");
  }

  @Test
  void badQueryIsAUsageErrorWithSparksReason() {
    Run r = run("sql", "--lakehouse", lakehouse, "SELECT nope FROM prompts");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: Cannot run query:").contains("nope").doesNotContain("\tat ");
  }

  @Test
  void tablesListsEveryTable() {
    Run r = run("tables", "--lakehouse", lakehouse);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("| prompts ").contains("| 3 ").contains("experiences").contains("param_dynamics");
    Run schema = run("tables", "--schema", "rollouts", "--format", "csv");
    assertThat(schema.out()).contains("behavior_logprobs,array<float>,no,,");
    Run unknown = run("tables", "--schema", "nope");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("Cannot find table nope");
  }

  @Test
  void ingestFailureNamesTheFileAndExitsTwo() throws Exception {
    Path bad = dir.resolve("bad.jsonl");
    Files.writeString(bad, "{\"prompt\":\"x\"}\n");
    Run r = run("ingest", "--lakehouse", lakehouse, "--dataset", "bad", "--format", "jsonl", "--path", bad.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains(bad + ":1").contains("field answer: is missing");
    Run unknownFormat = run("ingest", "--lakehouse", lakehouse, "--dataset", "x", "--format", "csv", "--path", bad.toString());
    assertThat(unknownFormat.code()).isEqualTo(2);
    assertThat(unknownFormat.err()).contains("--format=csv");
  }

  @Test
  void demoRunsTheEmbeddedDefaultEndToEnd() throws Exception {
    // the demo's stages on a reduced budget (the full demo is about 10 minutes; docs/PERFORMANCE.md)
    String demoLakehouse = dir.resolve("demo-lh").toUri().toString();
    String[] reduced = {"--set", "run.iterations=2", "--set", "run.eval_every=1", "--set", "task.digits=2",
        "--set", "task.sft_examples=64", "--set", "task.train_prompts=128", "--set", "task.test_prompts=16",
        "--set", "task.eval_limit=16", "--set", "sft.steps=3", "--set", "sft.stop_at_exact_match=0",
        "--set", "rollout.prompts_per_step=4", "--set", "rollout.samples_per_prompt=4",
        "--set", "learn.steps_per_version=1", "--set", "learn.batch_size=16"};
    String[] args = new String[reduced.length + 3];
    args[0] = "demo";
    args[1] = "--lakehouse";
    args[2] = demoLakehouse;
    System.arraycopy(reduced, 0, args, 3, reduced.length);
    Run demo = run(args);
    assertThat(demo.code()).as(demo.err()).isZero();
    assertThat(demo.out()).contains("[2/4] run demo").contains("2/2 v2->v3").contains("[3/4] parameter dynamics")
        .contains("held-out pass@1").contains("report: ").contains("demo finished");
    Path report = Path.of(java.net.URI.create(demoLakehouse)).resolve("reports/demo");
    assertThat(report.resolve("index.html")).exists();
    assertThat(java.nio.file.Files.readString(report.resolve("index.html"))).contains("pass_at_1.png")
        .contains("Parameter dynamics");
    Run experiences = run("sql", "--lakehouse", demoLakehouse, "--format", "csv",
        "SELECT count(*) AS n, count(DISTINCT group_id) AS g FROM experiences WHERE run_id = 'demo'");
    assertThat(experiences.out()).isEqualTo("n,g\n32,8\n");
    Run kinds = run("sql", "--lakehouse", demoLakehouse, "--format", "csv",
        "SELECT version, kind FROM policy_versions WHERE run_id = 'demo' ORDER BY version");
    assertThat(kinds.out()).isEqualTo("version,kind\n0,base\n1,sft\n2,rl\n3,rl\n");
    // rerunning the finished demo does not train again
    Run again = run(args);
    assertThat(again.code()).as(again.err()).isZero();
    assertThat(run("sql", "--lakehouse", demoLakehouse, "--format", "csv",
        "SELECT count(*) AS n FROM policy_versions WHERE run_id = 'demo'").out()).isEqualTo("n\n4\n");
  }

  @Test
  void initIsIdempotent() {
    Run first = run("init", "--lakehouse", lakehouse);
    Run second = run("init", "--lakehouse", lakehouse);
    assertThat(first.code()).isZero();
    assertThat(second.code()).isZero();
    assertThat(second.out()).contains("prompts").contains("ok");
  }
}
