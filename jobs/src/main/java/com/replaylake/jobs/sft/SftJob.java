package com.replaylake.jobs.sft;

import static com.replaylake.schemas.Columns.*;
import static org.apache.spark.sql.functions.col;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.replaylake.jobs.RunIds;
import com.replaylake.jobs.learn.LearnJob;
import com.replaylake.jobs.policy.HadoopCheckpoints;
import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.jobs.rollout.PromptRendering;
import com.replaylake.jobs.rollout.PromptSchedule;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.checkpoint.TensorDtype;
import com.replaylake.policy.learn.AdamW;
import com.replaylake.policy.learn.LearnerConfig;
import com.replaylake.policy.learn.SftStep;
import com.replaylake.policy.sampling.SampleResult;
import com.replaylake.policy.sampling.Sampler;
import com.replaylake.policy.sampling.SamplingParams;
import com.replaylake.policy.scoring.ScoreRequest;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * The SFT job: a supervised warm start from the {@code reference_response} demonstrations of a
 * dataset split. Trains the run's latest version k for {@code --steps} AdamW updates of {@code
 * --batch-size} demonstrations (batches a pure function of seed and step, epochs reshuffled), with
 * token-mean NLL or, with {@code --anchor-beta} > 0, NLL plus β·KL(π_θ‖π_k) (the reference-anchored
 * option of ALGORITHMS.md §6), and publishes version k+1 of kind {@code sft} exactly like the
 * learner: checkpoint to a staging folder, rename, {@code learner_metrics} rows, then the {@code
 * policy_versions} row. The SFT optimizer state is not kept: RL starts with a fresh optimizer.
 */
public final class SftJob {
  private SftJob() {}

  /**
   * @param stopAtExactMatch early stop: every {@code checkEvery} steps, greedy-decode up to {@link
   *     #CHECK_SAMPLE} demonstrations and stop once at least this fraction reproduces its reference
   *     exactly (0 = always run all steps)
   */
  public record Options(String runId, String dataset, String split, int steps, int batchSize, long seed,
      String promptTemplate, double anchorBeta, Map<String, String> config, String device, double stopAtExactMatch,
      int checkEvery) {
    public Options(String runId, String dataset, String split, int steps, int batchSize, long seed,
        String promptTemplate, double anchorBeta, Map<String, String> config, String device) {
      this(runId, dataset, split, steps, batchSize, seed, promptTemplate, anchorBeta, config, device, 0, 25);
    }

    public Options {
      if (!(stopAtExactMatch >= 0 && stopAtExactMatch <= 1)) {
        throw Errors.invalidOption("--stop-at", Double.toString(stopAtExactMatch), "must be in [0, 1] (0 = off)");
      }
      if (checkEvery < 1) {
        throw Errors.invalidOption("--check-every", Integer.toString(checkEvery), "must be >= 1");
      }
      RunIds.check(runId);
      if (steps < 1) {
        throw Errors.invalidOption("--steps", Integer.toString(steps), "must be >= 1");
      }
      if (batchSize < 1) {
        throw Errors.invalidOption("--batch-size", Integer.toString(batchSize), "must be >= 1");
      }
      if (!(anchorBeta >= 0) || !Double.isFinite(anchorBeta)) {
        throw Errors.invalidOption("--anchor-beta", Double.toString(anchorBeta), "must be a finite number >= 0");
      }
      if (promptTemplate == null || !promptTemplate.contains("{prompt}")) {
        throw Errors.invalidOption("--prompt-template", String.valueOf(promptTemplate), "must contain {prompt}");
      }
      if (dataset == null || split == null) {
        throw Errors.invalidOption("--dataset/--split", dataset + "/" + split, "both are required");
      }
      config = Map.copyOf(config);
      device = device == null ? "auto" : device;
    }
  }

  public record Result(String runId, int fromVersion, int toVersion, int steps, int demonstrations, long tokens,
      double firstLoss, double lastLoss, double lastTokenAccuracy, Double exactMatch, double seconds,
      String checkpointUri) {}

  /** Demonstrations greedy-decoded by the early-stopping check. */
  public static final int CHECK_SAMPLE = 128;

  private record Demo(int[] prompt, int[] response) {}

  public static Result run(Lakehouse lakehouse, Options o, Consumer<String> progress) {
    long start = System.nanoTime();
    Map<String, String> settings = new HashMap<>(o.config());
    settings.putIfAbsent(LearnerConfig.LR, "1e-3");
    settings.putIfAbsent(LearnerConfig.KL_BETA, "0");
    LearnerConfig cfg;
    try {
      cfg = LearnerConfig.fromMap(settings);
    } catch (RuntimeException e) {
      throw Errors.invalidConfig("--set", "sft", null, Errors.innermostMessage(e));
    }
    int k = PolicyVersions.latestVersion(lakehouse, o.runId()).orElseThrow(() -> Errors.invalidOption("--run",
        o.runId(), "no policy versions; register a base first (bin/replaylake register-base --run " + o.runId() + ")"));
    Device device = LearnJob.device(o.device());
    List<Row> rows = lakehouse.read(Tables.PROMPTS)
        .where(col(DATASET).equalTo(o.dataset()).and(col(SPLIT).equalTo(o.split()))
            .and(col(REFERENCE_RESPONSE).isNotNull()))
        .select(PROMPT_ID, PROMPT, REFERENCE_RESPONSE).orderBy(PROMPT_ID).collectAsList();
    if (rows.isEmpty()) {
      throw Errors.invalidOption("--dataset/--split", o.dataset() + "/" + o.split(),
          "no prompts with a reference_response (demonstration); ingest demonstrations first");
    }
    Configuration conf = lakehouse.spark().sparkContext().hadoopConfiguration();
    String current = PolicyVersions.checkpointUri(lakehouse, o.runId(), k);
    String target = lakehouse.checkpointUri(o.runId(), k + 1);
    String staging = target + ".tmp-" + UUID.randomUUID();
    long firstStep = LearnJob.nextLearnerStep(lakehouse, o.runId());
    List<Row> metricRows = new ArrayList<>();
    double firstLoss = Double.NaN;
    double lastLoss = Double.NaN;
    double lastAccuracy = Double.NaN;
    long tokens = 0;
    int stepsRun = 0;
    Double exact = null;
    try (PolicyModel policy = PolicyModel.load(HadoopCheckpoints.source(current, conf), device, DataType.FLOAT32);
        PolicyModel reference = o.anchorBeta() > 0
            ? PolicyModel.load(HadoopCheckpoints.source(current, conf), device, DataType.FLOAT32) : null;
        AdamW optimizer = new AdamW(policy.decoder(), cfg)) {
      int end = PromptRendering.endToken(policy);
      int maxPositions = policy.config().maxPositionEmbeddings();
      Map<String, Demo> demos = new LinkedHashMap<>();
      for (Row r : rows) {
        int[] prompt = policy.tokenizer().encode(PromptRendering.render(policy, o.promptTemplate(), r.getString(1)));
        int[] text = policy.tokenizer().encode(r.getString(2));
        int[] response = java.util.Arrays.copyOf(text, text.length + 1);
        response[text.length] = end;
        if (prompt.length + response.length > maxPositions) {
          throw Errors.invalidOption("--dataset/--split", o.dataset() + "/" + o.split(), "prompt " + r.getString(0)
              + " with its demonstration has " + (prompt.length + response.length)
              + " tokens, more than the policy's max_position_embeddings " + maxPositions);
        }
        demos.put(r.getString(0), new Demo(prompt, response));
      }
      progress.accept(String.format("sft from version %d on %d demonstrations of %s/%s: %d steps x %d, lr %s, "
              + "anchor beta %s, device %s", k, demos.size(), o.dataset(), o.split(), o.steps(), o.batchSize(),
          cfg.learningRate(), o.anchorBeta(), device));
      SftStep sft = new SftStep(policy.decoder(), optimizer, cfg, o.anchorBeta());
      PromptSchedule schedule = new PromptSchedule(new ArrayList<>(demos.keySet()), o.seed());
      long lastReport = System.nanoTime();
      for (int s = 0; s < o.steps(); s++) {
        List<ScoreRequest> batch = new ArrayList<>(o.batchSize());
        for (String id : schedule.promptsForStep(s, Math.min(o.batchSize(), demos.size()))) {
          Demo d = demos.get(id);
          batch.add(new ScoreRequest(d.prompt(), d.response()));
        }
        List<float[]> ref = reference == null ? null : SftStep.referenceLogprobs(reference.decoder(), batch);
        SftStep.Metrics m = sft.update(batch, ref, s);
        if (s == 0) {
          firstLoss = m.loss();
        }
        lastLoss = m.loss();
        lastAccuracy = m.tokenAccuracy();
        tokens += m.tokens();
        long step = firstStep + s;
        metricRows.add(RowFactory.create(o.runId(), (int) step, k + 1, m.loss(), null,
            o.anchorBeta() > 0 ? o.anchorBeta() * m.klRef() : null, null, o.anchorBeta() > 0 ? m.klRef() : null,
            null, null, null, null, null, null, m.gradNorm(), m.learningRate(), m.tokens(), (long) m.sequences(),
            1.0, 0.0, null, m.tokens() / (double) m.sequences(), m.seconds(), Timestamp.from(Instant.now())));
        stepsRun = s + 1;
        if (o.stopAtExactMatch() > 0 && (s + 1) % o.checkEvery() == 0) {
          exact = exactMatch(policy, demos, end);
          if (exact >= o.stopAtExactMatch()) {
            progress.accept(String.format("sft step %d/%d: exact match %.3f on %d demonstrations >= %.3f: stopping",
                s + 1, o.steps(), exact, Math.min(CHECK_SAMPLE, demos.size()), o.stopAtExactMatch()));
            break;
          }
        }
        if (s == o.steps() - 1 || System.nanoTime() - lastReport > 5_000_000_000L) {
          lastReport = System.nanoTime();
          progress.accept(String.format("sft step %d/%d: loss %.4f, token accuracy %.3f, grad norm %.3f, %.0f tokens/s",
              s + 1, o.steps(), m.loss(), m.tokenAccuracy(), m.gradNorm(), m.tokens() / m.seconds()));
        }
      }
      policy.save(HadoopCheckpoints.sink(staging, conf), TensorDtype.F32);
      PolicyVersions.publish(lakehouse, staging, target);
    } catch (IOException e) {
      throw Errors.jobFailed("sft " + o.runId(), e);
    }
    lakehouse.replace(Tables.LEARNER_METRICS, metricRows, RunIds.where(o.runId(), k + 1),
        "replaylake sft " + o.runId() + " v" + (k + 1));
    Map<String, String> config = new LinkedHashMap<>(cfg.toMap());
    config.put("objective", o.anchorBeta() > 0 ? "nll+kl_ref" : "nll");
    config.put("anchor_beta", Double.toString(o.anchorBeta()));
    config.put("dataset", o.dataset());
    config.put("split", o.split());
    config.put("demonstrations", Integer.toString(rows.size()));
    config.put("steps", Integer.toString(stepsRun));
    config.put("max_steps", Integer.toString(o.steps()));
    if (o.stopAtExactMatch() > 0) {
      config.put("stop_at_exact_match", Double.toString(o.stopAtExactMatch()));
      config.put("exact_match", String.valueOf(exact));
    }
    config.put("batch_size", Integer.toString(o.batchSize()));
    config.put("seed", Long.toString(o.seed()));
    config.put("prompt_template", o.promptTemplate());
    PolicyVersions.commit(lakehouse, o.runId(), k + 1, k, "sft", target, (int) (firstStep + stepsRun), config);
    return new Result(o.runId(), k, k + 1, stepsRun, rows.size(), tokens, firstLoss, lastLoss, lastAccuracy, exact,
        (System.nanoTime() - start) / 1e9, target);
  }

  /** Fraction of the first {@link #CHECK_SAMPLE} demonstrations that greedy decoding reproduces exactly. */
  static double exactMatch(PolicyModel policy, Map<String, Demo> demos, int end) {
    List<int[]> prompts = new ArrayList<>();
    List<int[]> wanted = new ArrayList<>();
    int maxNew = 1;
    for (Demo d : demos.values()) {
      if (prompts.size() == CHECK_SAMPLE) {
        break;
      }
      prompts.add(d.prompt());
      wanted.add(d.response());
      maxNew = Math.max(maxNew, d.response().length);
    }
    List<SampleResult> out = new Sampler(policy).sample(prompts,
        SamplingParams.of(0.0, 0, 1.0, maxNew, policy.stopTokenIds()), new long[prompts.size()]);
    int same = 0;
    for (int i = 0; i < out.size(); i++) {
      if (java.util.Arrays.equals(out.get(i).tokenIds(), wanted.get(i))) {
        same++;
      }
    }
    return same / (double) out.size();
  }
}
