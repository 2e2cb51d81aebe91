package com.replaylake.policy.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.learn.AdamW;
import com.replaylake.policy.learn.LearnerConfig;
import com.replaylake.policy.learn.LearnerMetrics;
import com.replaylake.policy.learn.LearnerStep;
import com.replaylake.policy.learn.TrainingSequence;
import com.replaylake.policy.model.PolicyConfig;
import com.replaylake.policy.sampling.DistributionParams;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Throughput of the learner on this machine: full {@link LearnerStep#update}s (micro-batched
 * forward + backward of the ReMix loss, then AdamW) on random sequences, plus the no-grad π_k
 * scoring pass and the AdamW update alone. Not a test: run it by hand and copy the table into
 * docs/learner.md.
 *
 * <pre>
 * java -cp ... com.replaylake.policy.bench.LearnerBenchmark [--models tiny,mid] [--batch 16]
 *     [--prompt 8] [--response 120] [--micro-batch-tokens 4096] [--threads N]
 *     [--peak-gflops 100] [--device cpu] [--min-seconds 3] [--min-reps 3]
 * </pre>
 *
 * <p>Each row repeats its call until both --min-seconds and --min-reps are reached (at most 50
 * times), after one warm-up call. tokens/s counts prompt + response tokens (as PolicyBenchmark's training row); "resp tok/s"
 * counts the trained (response) tokens. FLOPs: 3× the forward FLOPs of every token (the LM head
 * included for all tokens, although only response positions go through it, so MFU is slightly
 * overstated for long prompts); MFU against the given peak.
 */
public final class LearnerBenchmark {
  private LearnerBenchmark() {}

  public static void main(String[] args) {
    Options o = Options.parse(args);
    if (o.threads > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(o.threads));
    }
    Device device = PolicyRuntime.device(o.device);
    System.out.printf(Locale.ROOT, "device=%s torch_threads=%s peak=%.0f GFLOP/s batch=%d"
        + " prompt=%d response=%d micro_batch_tokens=%d%n", device,
        o.threads > 0 ? o.threads : "default", o.peakGflops, o.batch, o.prompt, o.response,
        o.microBatchTokens);
    System.out.println("| model | params | phase | micro-batches | tokens | seconds | tokens/s"
        + " | resp tok/s | MFU |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (String name : o.models) {
      PolicyConfig cfg = switch (name) {
        case "tiny" -> PolicyConfig.tiny();
        case "mid" -> PolicyConfig.midSize();
        default -> throw new IllegalArgumentException("Cannot benchmark model '" + name
            + "': use tiny or mid");
      };
      try (PolicyModel policy = PolicyModel.random(cfg, 1, device)) {
        run(policy, name, o);
      }
    }
  }

  private static void run(PolicyModel policy, String name, Options o) {
    PolicyConfig cfg = policy.config();
    LearnerConfig lc = LearnerConfig.defaults(LearnerConfig.Algorithm.REMIX).with(Map.of(
        LearnerConfig.LR, "1e-5", LearnerConfig.KL_BETA, "0",
        LearnerConfig.MICRO_BATCH_TOKENS, Integer.toString(o.microBatchTokens)));
    SplittableRandom r = new SplittableRandom(5);
    List<TrainingSequence> batch = new ArrayList<>();
    for (int i = 0; i < o.batch; i++) {
      int[] p = new int[o.prompt];
      int[] y = new int[o.response];
      float[] lp = new float[o.response];
      for (int j = 0; j < p.length; j++) {
        p[j] = r.nextInt(256);
      }
      for (int j = 0; j < y.length; j++) {
        y[j] = r.nextInt(256);
        lp[j] = (float) (-5.6 + 0.2 * r.nextGaussian());
      }
      batch.add(TrainingSequence.of(p, y, lp, (float) r.nextGaussian()));
    }
    int len = o.prompt + o.response;
    double fwd = 0;
    for (int t = 0; t < len; t++) {
      fwd += cfg.forwardFlopsPerToken() + cfg.attentionFlopsPerToken(t + 1);
    }
    long seqTokens = (long) o.batch * len;
    long respTokens = (long) o.batch * o.response;
    try (AdamW opt = new AdamW(policy.decoder(), lc)) {
      LearnerStep learner = new LearnerStep(policy.decoder(), opt, lc, DistributionParams.FULL);
      List<TrainingSequence> ready = learner.withProximalLogprobs(batch);
      int micro = learner.update(ready, 0).microBatches();
      int reps = 0;
      long start = System.nanoTime();
      double seconds;
      do {
        LearnerMetrics m = learner.update(ready, 0);
        micro = m.microBatches();
        reps++;
        seconds = (System.nanoTime() - start) / 1e9;
      } while ((seconds < o.minSeconds || reps < o.minReps) && reps < 50);
      row(name, cfg, "learner update", micro, reps * seqTokens, reps * respTokens, seconds,
          3 * fwd * reps * o.batch, o);

      reps = 0;
      start = System.nanoTime();
      do {
        learner.withProximalLogprobs(batch);
        reps++;
        seconds = (System.nanoTime() - start) / 1e9;
      } while ((seconds < o.minSeconds || reps < o.minReps) && reps < 50);
      row(name, cfg, "pi_k scoring (no grad)", 0, reps * seqTokens, reps * respTokens, seconds,
          fwd * reps * o.batch, o);

      try (NDManager scope = PolicyRuntime.newManager(policy.decoder().device())) {
        Map<String, NDArray> grads = new LinkedHashMap<>();
        policy.decoder().parameters().forEach((k, v) -> grads.put(k,
            scope.randomNormal(0f, 1e-3f, v.getShape(), v.getDataType())));
        reps = 0;
        start = System.nanoTime();
        do {
          opt.update(grads);
          reps++;
          seconds = (System.nanoTime() - start) / 1e9;
        } while ((seconds < o.minSeconds || reps < o.minReps) && reps < 50);
        System.out.printf(Locale.ROOT, "| %s | %.2fM | adamw update alone | - | - | %.3f/update"
            + " | - | - | - |%n", name, cfg.parameterCount() / 1e6, seconds / reps);
      }
    }
  }

  private static void row(String name, PolicyConfig cfg, String phase, int micro, long tokens,
      long respTokens, double seconds, double flops, Options o) {
    double gflops = flops / seconds / 1e9;
    System.out.printf(Locale.ROOT, "| %s | %.2fM | %s | %s | %d | %.2f | %.0f | %.0f | %.1f%% |%n",
        name, cfg.parameterCount() / 1e6, phase, micro == 0 ? "-" : Integer.toString(micro),
        tokens, seconds, tokens / seconds, respTokens / seconds, 100 * gflops / o.peakGflops);
  }

  private record Options(List<String> models, int batch, int prompt, int response,
      int microBatchTokens, int threads, double peakGflops, String device, double minSeconds,
      int minReps) {
    static Options parse(String[] args) {
      List<String> models = List.of("tiny", "mid");
      int batch = 16;
      int prompt = 8;
      int response = 120;
      int micro = 4096;
      int threads = 0;
      double peak = 100;
      String device = "cpu";
      double minSeconds = 3;
      int minReps = 3;
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("Cannot parse " + args[i] + ": it needs a value");
        }
        String v = args[i + 1];
        switch (args[i]) {
          case "--models" -> models = List.of(v.split(","));
          case "--batch" -> batch = Integer.parseInt(v);
          case "--prompt" -> prompt = Integer.parseInt(v);
          case "--response" -> response = Integer.parseInt(v);
          case "--micro-batch-tokens" -> micro = Integer.parseInt(v);
          case "--threads" -> threads = Integer.parseInt(v);
          case "--peak-gflops" -> peak = Double.parseDouble(v);
          case "--device" -> device = v;
          case "--min-seconds" -> minSeconds = Double.parseDouble(v);
          case "--min-reps" -> minReps = Integer.parseInt(v);
          default -> throw new IllegalArgumentException("Cannot parse option " + args[i]
              + ": use --models, --batch, --prompt, --response, --micro-batch-tokens,"
              + " --threads, --peak-gflops, --device, --min-seconds, --min-reps");
        }
      }
      if (prompt < 1 || response < 1 || batch < 1) {
        throw new IllegalArgumentException("Cannot benchmark: --batch, --prompt and --response"
            + " must be >= 1");
      }
      return new Options(models, batch, prompt, response, micro, threads, peak, device,
          minSeconds, minReps);
    }
  }
}
