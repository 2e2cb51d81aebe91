package com.replaylake.jobs.rollout;

import ai.djl.Device;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.sampling.SampleResult;
import com.replaylake.policy.sampling.Sampler;
import com.replaylake.policy.sampling.SamplingParams;
import java.io.Serializable;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.deploy.SparkHadoopUtil;
import org.apache.spark.SparkEnv;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * Generates the G samples of every prompt of a partition on the executor: the policy comes from
 * the JVM's {@link ExecutorPolicyCache}; all samples of the partition's prompts go through the
 * sampler in batches of at most {@code maxBatch} sequences. Seeds derive from (seed, step, prompt,
 * sample index), so a retried task regenerates identical rows.
 */
public final class GenerateFunction implements FlatMapFunction<Iterator<Row>, Row>, Serializable {

  /** What to generate: identity columns, the checkpoint, sampling parameters, seeds, batching. */
  public record Spec(String runId, int version, int step, String checkpointUri, int samplesPerPrompt, double temperature,
      double topP, int topK, int maxNewTokens, long seed, String promptTemplate, int maxBatch) implements Serializable {}

  private final Spec spec;
  private final LongAccumulator samples;
  private final LongAccumulator tokens;
  private final LongAccumulator loads;
  private final LongAccumulator samplerNanos;
  private final CollectionAccumulator<String> loadedBy;

  /** The accumulators count samples, response tokens, policy loads and nanoseconds spent in the sampler. */
  public GenerateFunction(Spec spec, LongAccumulator samples, LongAccumulator tokens, LongAccumulator loads,
      LongAccumulator samplerNanos) {
    this(spec, samples, tokens, loads, samplerNanos, null);
  }

  /** As above; {@code loadedBy} (may be null) receives the executor id of every policy load. */
  public GenerateFunction(Spec spec, LongAccumulator samples, LongAccumulator tokens, LongAccumulator loads,
      LongAccumulator samplerNanos, CollectionAccumulator<String> loadedBy) {
    this.spec = spec;
    this.samples = samples;
    this.tokens = tokens;
    this.loads = loads;
    this.samplerNanos = samplerNanos;
    this.loadedBy = loadedBy;
  }

  /** The id of the executor running this code ("driver" in local mode). */
  static String executorId() {
    SparkEnv env = SparkEnv.get();
    return env == null ? "driver" : env.executorId();
  }

  /** The GPU this task was given by a GPU ResourceProfile, else the CPU. */
  static Device taskDevice() {
    TaskContext ctx = TaskContext.get();
    if (ctx != null) {
      Map<String, ResourceInformation> resources = scala.jdk.javaapi.CollectionConverters.asJava(ctx.resources());
      ResourceInformation gpu = resources.get("gpu");
      if (gpu != null && gpu.addresses().length > 0) {
        return Device.gpu(Integer.parseInt(gpu.addresses()[0]));
      }
    }
    return Device.cpu();
  }

  /**
   * Fault injection for tests: with this Spark local property set to "true", the first attempt of
   * every generation task fails after generating, so the retry path (and its idempotence) is tested.
   */
  public static final String INJECT_FAILURE_PROPERTY = "replaylake.rollout.injectFirstAttemptFailure";
  static final java.util.concurrent.atomic.AtomicInteger INJECTED_FAILURES = new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public Iterator<Row> call(Iterator<Row> prompts) {
    List<String> ids = new ArrayList<>();
    List<String> texts = new ArrayList<>();
    while (prompts.hasNext()) {
      Row r = prompts.next();
      ids.add(r.getString(0));
      texts.add(r.getString(1));
    }
    if (ids.isEmpty()) {
      return List.<Row>of().iterator();
    }
    var conf = SparkHadoopUtil.get().newConfiguration(SparkEnv.get().conf());
    ExecutorPolicyCache.Lease lease = ExecutorPolicyCache.get(spec.checkpointUri(), taskDevice(), conf);
    String executor = executorId();
    if (lease.loaded()) {
      loads.add(1);
      if (loadedBy != null) {
        loadedBy.add(executor);
      }
    }
    PolicyModel policy = lease.model();
    List<Row> out = new ArrayList<>(ids.size() * spec.samplesPerPrompt());
    Timestamp now = Timestamp.from(Instant.now());
    // One generation at a time per policy and JVM: PyTorch's intra-op threads already use the cores.
    synchronized (policy) {
      SamplingParams params = SamplingParams.of(spec.temperature(), spec.topK(), spec.topP(), spec.maxNewTokens(),
          policy.stopTokenIds());
      Sampler sampler = new Sampler(policy);
      List<String> rendered = new ArrayList<>();
      List<int[]> promptTokens = new ArrayList<>();
      int maxPositions = policy.config().maxPositionEmbeddings();
      for (int p = 0; p < texts.size(); p++) {
        String text = texts.get(p);
        String prompt = PromptRendering.render(policy, spec.promptTemplate(), text);
        int[] encoded = policy.tokenizer().encode(prompt);
        if (encoded.length + spec.maxNewTokens() > maxPositions) {
          throw new IllegalArgumentException("prompt " + ids.get(p) + " has " + encoded.length
              + " tokens; with --max-new-tokens " + spec.maxNewTokens() + " it exceeds the policy's max_position_embeddings "
              + maxPositions + " (use shorter prompts, fewer new tokens, or a policy with a longer context)");
        }
        rendered.add(prompt);
        promptTokens.add(encoded);
      }
      List<int[]> batchPrompts = new ArrayList<>();
      List<long[]> batchMeta = new ArrayList<>(); // prompt index, sample index
      List<Long> batchSeeds = new ArrayList<>();
      for (int p = 0; p < ids.size(); p++) {
        for (int g = 0; g < spec.samplesPerPrompt(); g++) {
          batchPrompts.add(promptTokens.get(p));
          batchMeta.add(new long[] {p, g});
          batchSeeds.add(PromptSchedule.Seeds.mix(spec.seed(), spec.step(), ids.get(p), g));
          if (batchPrompts.size() == spec.maxBatch()) {
            flush(sampler, params, batchPrompts, batchMeta, batchSeeds, ids, rendered, now, executor, out);
          }
        }
      }
      flush(sampler, params, batchPrompts, batchMeta, batchSeeds, ids, rendered, now, executor, out);
    }
    TaskContext ctx = TaskContext.get();
    if (ctx != null && "true".equals(ctx.getLocalProperty(INJECT_FAILURE_PROPERTY)) && ctx.attemptNumber() == 0) {
      INJECTED_FAILURES.incrementAndGet();
      throw new IllegalStateException("injected failure of task " + ctx.partitionId() + " attempt 0");
    }
    return out.iterator();
  }

  private void flush(Sampler sampler, SamplingParams params, List<int[]> batchPrompts, List<long[]> meta,
      List<Long> seeds, List<String> ids, List<String> rendered, Timestamp now, String executor, List<Row> out) {
    if (batchPrompts.isEmpty()) {
      return;
    }
    long[] seedArray = seeds.stream().mapToLong(Long::longValue).toArray();
    long t0 = System.nanoTime();
    List<SampleResult> results = sampler.sample(batchPrompts, params, seedArray);
    samplerNanos.add(System.nanoTime() - t0);
    long tokenCount = 0;
    for (int i = 0; i < results.size(); i++) {
      SampleResult s = results.get(i);
      int p = (int) meta.get(i)[0];
      int g = (int) meta.get(i)[1];
      String promptId = ids.get(p);
      Row sampling = RowFactory.create(spec.temperature(), spec.topP(), spec.topK(), spec.maxNewTokens(), s.seed());
      out.add(RowFactory.create(spec.runId(), spec.version(), spec.step(), promptId, spec.step() + "-" + promptId, g,
          rendered.get(p), s.promptTokenIds(), s.tokenIds(), s.logprobs(), s.text(),
          s.finishReason().name().toLowerCase(java.util.Locale.ROOT), sampling, now, executor));
      tokenCount += s.tokenIds().length;
    }
    samples.add(results.size());
    tokens.add(tokenCount);
    batchPrompts.clear();
    meta.clear();
    seeds.clear();
  }

}
