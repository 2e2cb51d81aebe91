package com.replaylake.jobs.cli;

import com.replaylake.jobs.ingest.IngestJob;
import com.replaylake.jobs.learn.LearnJob;
import java.util.Map;
import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.jobs.rollout.RolloutJob;
import com.replaylake.jobs.score.RewardSpec;
import com.replaylake.jobs.score.ScoreJob;
import com.replaylake.udfs.advantage.Estimator;
import com.replaylake.udfs.advantage.GroupAdvantage;
import com.replaylake.udfs.verify.VerifierConfig;
import com.replaylake.schemas.Lakehouse;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code replaylake demo}: the embedded default end to end, as far as the pipeline exists today:
 * create the lakehouse, ingest the bundled datasets, register the tiny demo policy, one rollout
 * step, score it into the replay table, list the tables and query them. Learning joins it when the
 * learner lands.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Run the embedded default: create ./lakehouse, ingest the bundled GSM8K and MATH-500 samples, "
        + "register the tiny demo policy, generate one rollout step, score it into experiences, "
        + "learn one step (publishing version 1), and query the tables with Spark SQL.")
public final class DemoCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    long start = System.nanoTime();
    out.println("[1/7] opening lakehouse " + parent.global.lakehouseUri());
    Lakehouse lakehouse = parent.global.lakehouse("demo");
    out.println("[2/7] ingesting the bundled samples");
    for (IngestJob.Options sample : IngestJob.SAMPLES) {
      IngestJob.Result r = IngestJob.run(lakehouse, sample);
      out.printf("      %-40s %5d records (%d new, %d updated, %d unchanged)%n",
          r.path(), r.records(), r.inserted(), r.updated(), r.unchanged());
    }
    String run = "demo";
    if (PolicyVersions.latestVersion(lakehouse, run).isEmpty()) {
      out.println("[3/7] registering the tiny demo policy as run " + run + " version 0");
      PolicyVersions.registerBase(lakehouse, run, null, 0);
    } else {
      out.println("[3/7] run " + run + " already has version 0");
    }
    out.println("[4/7] rollout: 8 GSM8K prompts x 4 samples from the (untrained) tiny policy");
    RolloutJob.Result rollout = RolloutJob.run(lakehouse, new RolloutJob.Options(run, 0, 0, "gsm8k", "test", 8, 4,
        1.0, 1.0, 0, 32, 0, 4, 64, "{prompt}\n", 0), m -> out.println("      " + m));
    out.printf("      %d samples, %d tokens, %.0f tokens/s, finish reasons %s%n", rollout.samples(), rollout.tokens(),
        rollout.tokensPerSecond(), rollout.finishReasons());
    out.println("[5/7] score: verifier rewards and GRPO advantages into experiences");
    ScoreJob.Result score = ScoreJob.run(lakehouse, new ScoreJob.Options(run, 0,
        GroupAdvantage.Options.of(Estimator.GRPO), RewardSpec.parse("math+format"), VerifierConfig.defaults(), 0, 0),
        m -> {});
    out.printf("      %d samples, pass rate %.3f, statuses %s%n", score.samples(),
        score.passRate() == null ? 0.0 : score.passRate(), score.statusCounts());
    int latest = PolicyVersions.latestVersion(lakehouse, run).orElse(0);
    if (latest == 0) {
      out.println("[6/7] learn: one GRPO step on the replay table, publishing version 1");
      LearnJob.Result learned = LearnJob.run(lakehouse, new LearnJob.Options(run, 1, 32, 0,
          Map.of("algorithm", "grpo", "lr", "1e-4")), m -> out.println("      " + m));
      out.printf("      version %d published at %s%n", learned.toVersion(), learned.checkpointUri());
    } else {
      out.println("[6/7] run " + run + " already has version " + latest);
    }
    out.println("[7/7] tables");
    TablesCommand.printListing(out, OutputFormat.table, lakehouse);
    String query = "SELECT dataset, split, count(*) AS prompts FROM prompts GROUP BY dataset, split ORDER BY dataset";
    out.println("replaylake sql \"" + query + "\"");
    List<List<String>> result = new ArrayList<>();
    for (Row row : lakehouse.spark().sql(query).collectAsList()) {
      result.add(List.of(row.getString(0), row.getString(1), Long.toString(row.getLong(2))));
    }
    TablePrinter.print(out, OutputFormat.table, List.of("dataset", "split", "prompts"), result);
    out.printf("demo finished in %.1f s; lakehouse at %s%n", (System.nanoTime() - start) / 1e9, lakehouse.base());
    out.println("next: bin/replaylake sql \"SELECT status, count(*) FROM experiences GROUP BY status\"");
    out.println("      bin/replaylake sql \"SELECT prompt, gold_answer FROM prompts WHERE dataset = 'math' LIMIT 5\"");
    return 0;
  }
}
