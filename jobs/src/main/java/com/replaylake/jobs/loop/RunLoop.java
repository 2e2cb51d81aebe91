package com.replaylake.jobs.loop;

import static com.replaylake.schemas.Columns.*;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;

import com.replaylake.jobs.RunIds;
import com.replaylake.jobs.evaluate.EvaluateJob;
import com.replaylake.jobs.ingest.FieldMapping;
import com.replaylake.jobs.ingest.IngestJob;
import com.replaylake.jobs.ingest.SourceFormat;
import com.replaylake.jobs.learn.LearnJob;
import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.jobs.rollout.RolloutJob;
import com.replaylake.jobs.score.RewardSpec;
import com.replaylake.jobs.score.ScoreJob;
import com.replaylake.jobs.sft.SftJob;
import com.replaylake.jobs.synth.ArithmeticTask;
import com.replaylake.policy.learn.LearnerConfig;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import com.replaylake.udfs.advantage.Estimator;
import com.replaylake.udfs.advantage.GroupAdvantage;
import com.replaylake.udfs.verify.VerifierConfig;
import com.replaylake.udfs.verify.VerifyMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;

/**
 * {@code replaylake run}: the RLVR loop as a sequence of the ordinary jobs, driven from one
 * config. Before RL: the synthetic task if asked and missing, the base version 0, the SFT warm
 * start, and an evaluation of the RL start. Iteration i trains from version k = start + i: rollout
 * step i with version k, score it, learn (publishing k+1), evaluate every {@code run.eval_every}
 * versions and at the end.
 *
 * <p>Resume: everything is derived from the tables, so a run killed anywhere continues from the
 * last published version. The rollout step of version k is k - start (the prompt schedule is a
 * pure function of seed and step: no prompt skipped or repeated), rollout and score of version k
 * are redone only when {@code score_metrics} lacks (run, k) (each rewrite replaces its (run,
 * version, step) partition: no duplicate rows), a checkpoint left without its policy_versions row
 * is replaced, and an evaluation is redone only when its row is missing.
 */
public final class RunLoop {
  private RunLoop() {}

  /** One line per iteration. */
  public record Iteration(int index, int iterations, int fromVersion, int toVersion, Double meanReward,
      Double passRate, Double passAt1, double klBase, double tokensPerSecond, long freshSamples, double seconds,
      double rolloutSeconds, double scoreSeconds, double learnSeconds, double evalSeconds) {}

  /** What the loop did. */
  public record Result(String runId, int startVersion, int finalVersion, int iterationsRun, Double startPassAt1,
      Double finalPassAt1, double seconds) {}

  /** Test hook: called at named points of an iteration; throwing there simulates a crash. */
  public interface Checkpoint {
    void reached(String point, int version);
  }

  public static Result run(Lakehouse lakehouse, RunConfig cfg, Consumer<String> log, Consumer<Iteration> summary) {
    return run(lakehouse, cfg, log, summary, (point, version) -> {});
  }

  public static Result run(Lakehouse lakehouse, RunConfig cfg, Consumer<String> log, Consumer<Iteration> summary,
      Checkpoint hook) {
    long start = System.nanoTime();
    String run = cfg.string("run.id");
    ensureTask(lakehouse, cfg, log);
    ensureBase(lakehouse, cfg, log);
    ensureSft(lakehouse, cfg, log);
    LearnJob.RlStart rl = LearnJob.rlStart(lakehouse, run);
    Double startPass = evaluateIfMissing(lakehouse, cfg, rl.version(), log);
    int iterations = cfg.integer("run.iterations");
    int latest = PolicyVersions.latestVersion(lakehouse, run).orElseThrow();
    int done = latest - rl.version();
    if (done > 0) {
      log.accept(String.format("resuming run %s at version %d (%d of %d iterations done)", run, latest, done,
          iterations));
      // evaluations a crash skipped (between publishing a version and evaluating it)
      for (int produced = 1; produced <= Math.min(done, iterations); produced++) {
        if (produced % cfg.integer("run.eval_every") == 0 || produced == iterations) {
          evaluateIfMissing(lakehouse, cfg, rl.version() + produced, log);
        }
      }
    }
    int ran = 0;
    for (int i = done; i < iterations; i++) {
      int k = rl.version() + i;
      long t0 = System.nanoTime();
      double rolloutSeconds = 0;
      double scoreSeconds = 0;
      Double meanReward;
      Double passRate;
      double tokensPerSecond;
      Optional<Row> scored = scoreMetrics(lakehouse, run, k);
      if (scored.isEmpty()) {
        RolloutJob.Result r = RolloutJob.run(lakehouse, rolloutOptions(cfg, k, i), m -> log.accept("  " + m));
        hook.reached("rollout", k);
        rolloutSeconds = r.seconds();
        tokensPerSecond = r.tokensPerSecond();
        long s0 = System.nanoTime();
        ScoreJob.Result s = ScoreJob.run(lakehouse, scoreOptions(cfg, k), m -> log.accept("  " + m));
        hook.reached("score", k);
        scoreSeconds = (System.nanoTime() - s0) / 1e9;
        meanReward = s.meanReward();
        passRate = s.passRate();
      } else {
        Row m = scored.get();
        meanReward = m.isNullAt(0) ? null : m.getDouble(0);
        passRate = m.isNullAt(1) ? null : m.getDouble(1);
        tokensPerSecond = rolloutTokensPerSecond(lakehouse, run, k);
      }
      long l0 = System.nanoTime();
      LearnJob.Result learned = LearnJob.run(lakehouse, new LearnJob.Options(run, cfg.integer("learn.steps_per_version"),
          cfg.integer("learn.batch_size"), cfg.integer("run.seed"), cfg.learnerKeys(), cfg.string("run.device")),
          m -> log.accept("  " + m));
      hook.reached("learn", k + 1);
      double learnSeconds = (System.nanoTime() - l0) / 1e9;
      double evalSeconds = 0;
      Double passAt1 = null;
      int produced = i + 1;
      if (produced % cfg.integer("run.eval_every") == 0 || produced == iterations) {
        long e0 = System.nanoTime();
        passAt1 = evaluateIfMissing(lakehouse, cfg, k + 1, log);
        evalSeconds = (System.nanoTime() - e0) / 1e9;
      }
      ran++;
      summary.accept(new Iteration(produced, iterations, k, learned.toVersion(), meanReward, passRate, passAt1,
          klBase(lakehouse, run, k + 1), tokensPerSecond, freshSamples(cfg), (System.nanoTime() - t0) / 1e9,
          rolloutSeconds, scoreSeconds, learnSeconds, evalSeconds));
    }
    int last = PolicyVersions.latestVersion(lakehouse, run).orElseThrow();
    Double finalPass = last == rl.version() ? startPass : evaluateIfMissing(lakehouse, cfg, last, log);
    return new Result(run, rl.version(), last, ran, startPass, finalPass, (System.nanoTime() - start) / 1e9);
  }

  /** Fresh rollouts one iteration consumes. */
  static long freshSamples(RunConfig cfg) {
    return (long) cfg.integer("rollout.prompts_per_step") * cfg.integer("rollout.samples_per_prompt");
  }

  /** Generates and ingests the synthetic task when asked for and missing. */
  static void ensureTask(Lakehouse lakehouse, RunConfig cfg, Consumer<String> log) {
    String dataset = cfg.string("task.dataset");
    boolean present = !lakehouse.read(Tables.PROMPTS).where(col(DATASET).equalTo(dataset)).limit(1)
        .collectAsList().isEmpty();
    if (present) {
      return;
    }
    if (!ArithmeticTask.DATASET.equals(dataset) || !cfg.bool("task.generate")) {
      throw Errors.invalidConfig(cfg.source(), "task.dataset", dataset,
          "no prompts of this dataset in the lakehouse; ingest it first (bin/replaylake ingest)");
    }
    ArithmeticTask.Options o = new ArithmeticTask.Options(cfg.integer("task.digits"), cfg.integer("task.sft_examples"),
        cfg.integer("task.train_prompts"), cfg.integer("task.test_prompts"), cfg.integer("run.seed"));
    Path file = syntheticFile(lakehouse, o);
    ArithmeticTask.write(o, file);
    log.accept(String.format("generated the synthetic task %s (%d-digit addition, reversed sum): %d sft "
        + "demonstrations, %d train and %d test prompts -> %s", dataset, o.digits(), o.sftExamples(),
        o.trainPrompts(), o.testPrompts(), file));
    IngestJob.Result r = IngestJob.run(lakehouse, ingestOptions(file));
    log.accept("ingested " + r.records() + " prompts: " + r.recordsByDatasetSplit());
  }

  /** The ingest options of a synthetic task file written by {@link ArithmeticTask#write}. */
  public static IngestJob.Options ingestOptions(Path file) {
    return new IngestJob.Options(ArithmeticTask.DATASET, SourceFormat.JSONL, file.toUri().toString(), "train",
        new FieldMapping("prompt", "answer", "id", "solution", List.of("digits"), "split"));
  }

  /** Where the synthetic task file goes: next to the tables for a local lakehouse, else a temp folder. */
  public static Path syntheticFile(Lakehouse lakehouse, ArithmeticTask.Options o) {
    String name = String.format("arith-d%d-seed%d.jsonl", o.digits(), o.seed());
    try {
      java.net.URI base = java.net.URI.create(lakehouse.base());
      if ("file".equals(base.getScheme())) {
        return Path.of(base).resolve("synthetic").resolve(name);
      }
      return Files.createTempDirectory("replaylake-synthetic").resolve(name);
    } catch (java.io.IOException | IllegalArgumentException e) {
      throw Errors.unreadableFile(lakehouse.base(), e);
    }
  }

  static void ensureBase(Lakehouse lakehouse, RunConfig cfg, Consumer<String> log) {
    String run = cfg.string("run.id");
    if (PolicyVersions.latestVersion(lakehouse, run).isPresent()) {
      return;
    }
    String base = cfg.string("base.checkpoint");
    long seed = cfg.integer("base.seed");
    String uri = switch (base) {
      case "tiny" -> PolicyVersions.registerBase(lakehouse, run, null, seed);
      case "tiny-plain" -> PolicyVersions.registerTinyPlain(lakehouse, run, seed);
      default -> PolicyVersions.registerBase(lakehouse, run, base, seed);
    };
    log.accept("registered version 0 of run " + run + " (" + base + ") at " + uri);
  }

  static void ensureSft(Lakehouse lakehouse, RunConfig cfg, Consumer<String> log) {
    String run = cfg.string("run.id");
    int steps = cfg.integer("sft.steps");
    boolean hasSft = !lakehouse.read(Tables.POLICY_VERSIONS)
        .where(col(RUN_ID).equalTo(run).and(col(KIND).equalTo("sft"))).limit(1).collectAsList().isEmpty();
    boolean hasRl = !lakehouse.read(Tables.POLICY_VERSIONS)
        .where(col(RUN_ID).equalTo(run).and(col(KIND).equalTo("rl"))).limit(1).collectAsList().isEmpty();
    if (steps == 0 || hasSft || hasRl) {
      return;
    }
    SftJob.Result r = SftJob.run(lakehouse, sftOptions(cfg), m -> log.accept("  " + m));
    log.accept(String.format("sft: version %d -> %d, %d steps on %d demonstrations, loss %.3f -> %.3f, %.1f s",
        r.fromVersion(), r.toVersion(), r.steps(), r.demonstrations(), r.firstLoss(), r.lastLoss(), r.seconds()));
  }

  public static SftJob.Options sftOptions(RunConfig cfg) {
    return new SftJob.Options(cfg.string("run.id"), cfg.string("task.dataset"), cfg.string("sft.split"),
        cfg.integer("sft.steps"), cfg.integer("sft.batch_size"), cfg.integer("run.seed"),
        cfg.string("task.prompt_template"), cfg.decimal("sft.anchor_beta"),
        Map.of(LearnerConfig.LR, cfg.string("sft.lr"), LearnerConfig.WEIGHT_DECAY, "0"), cfg.string("run.device"),
        cfg.decimal("sft.stop_at_exact_match"), cfg.integer("sft.check_every"));
  }

  public static RolloutJob.Options rolloutOptions(RunConfig cfg, int version, int step) {
    return new RolloutJob.Options(cfg.string("run.id"), version, step, cfg.string("task.dataset"),
        cfg.string("task.train_split"), cfg.integer("rollout.prompts_per_step"), cfg.integer("rollout.samples_per_prompt"),
        cfg.decimal("rollout.temperature"), cfg.decimal("rollout.top_p"), cfg.integer("rollout.top_k"),
        cfg.integer("rollout.max_new_tokens"), cfg.integer("run.seed"), cfg.integer("rollout.prompts_per_task"),
        cfg.integer("rollout.max_batch"), cfg.string("task.prompt_template"), cfg.decimal("rollout.gpus_per_task"));
  }

  public static ScoreJob.Options scoreOptions(RunConfig cfg, int version) {
    Estimator estimator;
    try {
      estimator = Estimator.parse(cfg.string("score.estimator"));
    } catch (RuntimeException e) {
      throw Errors.invalidConfig(cfg.source(), "score.estimator", cfg.string("score.estimator"),
          Errors.innermostMessage(e));
    }
    return new ScoreJob.Options(cfg.string("run.id"), version,
        new GroupAdvantage.Options(estimator, GroupAdvantage.Options.DEFAULT_EPSILON,
            cfg.bool("score.filter_zero_variance"), cfg.integer("rollout.samples_per_prompt")),
        RewardSpec.parse(cfg.string("score.reward")), verifier(cfg), 0, 0);
  }

  static VerifierConfig verifier(RunConfig cfg) {
    try {
      return VerifierConfig.of(VerifyMode.parse(cfg.string("score.verify_mode")));
    } catch (RuntimeException e) {
      throw Errors.invalidConfig(cfg.source(), "score.verify_mode", cfg.string("score.verify_mode"),
          Errors.innermostMessage(e));
    }
  }

  public static EvaluateJob.Options evaluateOptions(RunConfig cfg, int version) {
    return new EvaluateJob.Options(cfg.string("run.id"), version, cfg.string("task.dataset"),
        cfg.string("task.eval_split"), cfg.integer("task.eval_limit"), cfg.integer("rollout.max_new_tokens"),
        Math.max(cfg.integer("rollout.prompts_per_task"), 64), cfg.integer("rollout.max_batch"),
        cfg.string("task.prompt_template"), verifier(cfg));
  }

  /** pass@1 of (run, version) on the held-out split, evaluating only when the row is missing. */
  static Double evaluateIfMissing(Lakehouse lakehouse, RunConfig cfg, int version, Consumer<String> log) {
    String run = cfg.string("run.id");
    List<Row> rows = lakehouse.read(Tables.EVALUATIONS)
        .where(col(RUN_ID).equalTo(run).and(col(POLICY_VERSION).equalTo(version))
            .and(col(DATASET).equalTo(cfg.string("task.dataset"))).and(col(SPLIT).equalTo(cfg.string("task.eval_split"))))
        .select(PASS_AT_1).collectAsList();
    if (!rows.isEmpty()) {
      return rows.get(0).getDouble(0);
    }
    EvaluateJob.Result r = EvaluateJob.run(lakehouse, evaluateOptions(cfg, version), m -> {});
    log.accept(String.format("evaluated version %d on %s/%s: pass@1 %.3f (%d/%d), mean length %.1f, %.1f s",
        version, r.dataset(), r.split(), r.passAt1(), r.correct(), r.n(), r.meanResponseLength(), r.seconds()));
    return r.passAt1();
  }

  private static Optional<Row> scoreMetrics(Lakehouse lakehouse, String run, int version) {
    return lakehouse.read(Tables.SCORE_METRICS).where(RunIds.where(run, version))
        .select(MEAN_REWARD, PASS_RATE).collectAsList().stream().findFirst();
  }

  private static double rolloutTokensPerSecond(Lakehouse lakehouse, String run, int version) {
    Row r = lakehouse.read(Tables.ROLLOUT_METRICS).where(RunIds.where(run, version)).agg(avg(TOKENS_PER_SECOND)).head();
    return r.isNullAt(0) ? Double.NaN : r.getDouble(0);
  }

  private static double klBase(Lakehouse lakehouse, String run, int version) {
    Row r = lakehouse.read(Tables.LEARNER_METRICS).where(RunIds.where(run, version)).agg(avg(KL_BASE)).head();
    return r.isNullAt(0) ? Double.NaN : r.getDouble(0);
  }
}
