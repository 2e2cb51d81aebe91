package com.replaylake.jobs.bench;

import static com.replaylake.schemas.Columns.DATASET;
import static com.replaylake.schemas.Columns.PROMPT;
import static com.replaylake.schemas.Columns.PROMPT_ID;
import static org.apache.spark.sql.functions.col;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import com.replaylake.jobs.ingest.IngestJob;
import com.replaylake.jobs.policy.HadoopCheckpoints;
import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.jobs.rollout.PromptSchedule;
import com.replaylake.jobs.rollout.RolloutJob;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.sampling.SampleResult;
import com.replaylake.policy.sampling.Sampler;
import com.replaylake.policy.sampling.SamplingParams;
import com.replaylake.policy.tokenizer.ChatMessage;
import com.replaylake.schemas.Lakehouse;
import com.replaylake.schemas.Tables;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.sql.Row;

/**
 * Spark overhead of the rollout job: tokens/s of {@link RolloutJob} (warm executor cache, Delta
 * write included) divided by tokens/s of the policy module's sampler on the same prompts, seeds
 * and batch size in the same JVM.
 */
public final class RolloutBenchmark {
  private RolloutBenchmark() {}

  public record Measurement(long rawTokens, double rawSeconds, long jobTokens, double jobSeconds, double ratio) {}

  public static Measurement run(Lakehouse lakehouse, int prompts, int g, int maxNewTokens, int maxBatch,
      Consumer<String> log) {
    String run = "bench-" + System.currentTimeMillis();
    IngestJob.run(lakehouse, IngestJob.SAMPLES.get(0));
    PolicyVersions.registerBase(lakehouse, run, null, 0);
    // The job's own tasks: one per 'prompts' so the batch equals the raw sampler's
    RolloutJob.Options o = new RolloutJob.Options(run, 0, 0, "gsm8k", "test", prompts, g, 1.0, 1.0, 0, maxNewTokens,
        0, prompts, maxBatch, "{prompt}\n", 0);
    RolloutJob.run(lakehouse, o, m -> {}); // warm-up: loads the policy into the executor cache, JIT
    RolloutJob.Result job = RolloutJob.run(lakehouse, new RolloutJob.Options(run, 0, 1, "gsm8k", "test", prompts, g,
        1.0, 1.0, 0, maxNewTokens, 0, prompts, maxBatch, "{prompt}\n", 0), m -> {});
    log.accept(String.format("rollout job: %d tokens in %.2f s = %.0f tokens/s (%.2f s of it in the sampler)",
        job.tokens(), job.seconds(), job.tokensPerSecond(), job.generationSeconds()));

    List<String> ids = lakehouse.read(Tables.PROMPTS).where(col(DATASET).equalTo("gsm8k")).select(PROMPT_ID)
        .collectAsList().stream().map(r -> r.getString(0)).toList();
    List<String> selected = new PromptSchedule(ids, 0).promptsForStep(1, prompts);
    Map<String, String> texts = new HashMap<>();
    for (Row r : lakehouse.read(Tables.PROMPTS).where(col(PROMPT_ID).isin(selected.toArray())).select(PROMPT_ID, PROMPT)
        .collectAsList()) {
      texts.put(r.getString(0), r.getString(1));
    }
    String uri = PolicyVersions.checkpointUri(lakehouse, run, 0);
    try (PolicyModel policy = PolicyModel.load(HadoopCheckpoints.source(uri,
        lakehouse.spark().sparkContext().hadoopConfiguration()), Device.cpu(), DataType.FLOAT32)) {
      Sampler sampler = new Sampler(policy);
      SamplingParams params = SamplingParams.of(1.0, 0, 1.0, maxNewTokens, policy.stopTokenIds());
      List<int[]> batch = new ArrayList<>();
      List<Long> seeds = new ArrayList<>();
      for (String id : selected) {
        String prompt = policy.renderPrompt(List.of(ChatMessage.user(texts.get(id))));
        int[] tokens = policy.tokenizer().encode(prompt);
        for (int i = 0; i < g; i++) {
          batch.add(tokens);
          seeds.add(PromptSchedule.Seeds.mix(0, 1, id, i));
        }
      }
      sample(sampler, params, batch, seeds, maxBatch); // warm-up
      long t0 = System.nanoTime();
      long rawTokens = sample(sampler, params, batch, seeds, maxBatch);
      double rawSeconds = (System.nanoTime() - t0) / 1e9;
      log.accept(String.format("raw sampler: %d tokens in %.2f s = %.0f tokens/s", rawTokens, rawSeconds,
          rawTokens / rawSeconds));
      double ratio = job.tokensPerSecond() / (rawTokens / rawSeconds);
      log.accept(String.format("ratio job/raw = %.2f (goal >= 0.85)", ratio));
      return new Measurement(rawTokens, rawSeconds, job.tokens(), job.seconds(), ratio);
    }
  }

  private static long sample(Sampler sampler, SamplingParams params, List<int[]> batch, List<Long> seeds, int maxBatch) {
    long tokens = 0;
    for (int from = 0; from < batch.size(); from += maxBatch) {
      int to = Math.min(batch.size(), from + maxBatch);
      long[] s = seeds.subList(from, to).stream().mapToLong(Long::longValue).toArray();
      for (SampleResult r : sampler.sample(batch.subList(from, to), params, s)) {
        tokens += r.tokenIds().length;
      }
    }
    return tokens;
  }
}
