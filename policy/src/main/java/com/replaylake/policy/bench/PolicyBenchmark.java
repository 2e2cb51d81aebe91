package com.replaylake.policy.bench;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.model.PolicyConfig;
import com.replaylake.policy.sampling.DistributionParams;
import com.replaylake.policy.sampling.Sampler;
import com.replaylake.policy.sampling.SamplingParams;
import com.replaylake.policy.scoring.ScoreRequest;
import com.replaylake.policy.scoring.ScoreTensors;
import com.replaylake.policy.scoring.TeacherForcedScorer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Throughput of the policy on this machine: KV-cache decoding (tokens/s and model-FLOPs
 * utilization at several batch sizes) and a training step (teacher-forced forward + backward).
 * Not a test: run it by hand and copy the table into docs.
 *
 * <pre>
 * java -cp ... com.replaylake.policy.bench.PolicyBenchmark [--models tiny,mid]
 *     [--batches 1,16,64,256] [--prompt 16] [--new 32] [--train-batch 16] [--train-len 128]
 *     [--threads N] [--peak-gflops 100] [--device cpu]
 * </pre>
 *
 * <p>FLOPs are counted as 2 per multiply-add of every weight matmul (including the LM head) plus
 * attention scores and values (4·layers·heads·head_dim·context per token); a training step counts
 * 3× the forward. MFU = counted FLOP/s ÷ the given peak (about 100 GFLOP/s fp32 on 2 cores here).
 * Decoding FLOPs include the prompt prefill; decode tokens/s counts generated tokens only.
 */
public final class PolicyBenchmark {
  private PolicyBenchmark() {}

  public static void main(String[] args) {
    Options o = Options.parse(args);
    if (o.threads > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(o.threads));
    }
    Device device = PolicyRuntime.device(o.device);
    System.out.printf(Locale.ROOT, "device=%s torch_threads=%s peak=%.0f GFLOP/s%n", device,
        o.threads > 0 ? o.threads : "default", o.peakGflops);
    System.out.println("| model | params | phase | batch | tokens | seconds | tokens/s | GFLOP/s"
        + " | MFU |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (String name : o.models) {
      PolicyConfig cfg = switch (name) {
        case "tiny" -> PolicyConfig.tiny();
        case "mid" -> PolicyConfig.midSize();
        default -> throw new IllegalArgumentException("Cannot benchmark model '" + name
            + "': use tiny or mid");
      };
      try (PolicyModel policy = PolicyModel.random(cfg, 1, device)) {
        for (int b : o.batches) {
          decode(policy, name, b, o);
        }
        train(policy, name, o);
      }
    }
  }

  private static List<int[]> prompts(int batch, int len, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<int[]> out = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      int[] p = new int[len];
      for (int j = 0; j < len; j++) {
        p[j] = r.nextInt(256);
      }
      out.add(p);
    }
    return out;
  }

  private static void decode(PolicyModel policy, String name, int batch, Options o) {
    PolicyConfig cfg = policy.config();
    Sampler sampler = new Sampler(policy);
    SamplingParams params = new SamplingParams(DistributionParams.FULL, o.newTokens, List.of());
    List<int[]> prompts = prompts(batch, o.prompt, batch);
    long[] seeds = new long[batch];
    Arrays.setAll(seeds, i -> i);
    sampler.sample(prompts(batch, o.prompt, 7), new SamplingParams(DistributionParams.FULL,
        Math.min(4, o.newTokens), List.of()), seeds);
    int reps = 0;
    long start = System.nanoTime();
    double seconds;
    do {
      sampler.sample(prompts, params, seeds);
      reps++;
      seconds = (System.nanoTime() - start) / 1e9;
    } while (seconds < o.minSeconds && reps < 50);
    long generated = (long) reps * batch * o.newTokens;
    double flops = 0;
    for (int t = 0; t < o.prompt; t++) {
      flops += cfg.forwardFlopsPerToken() + cfg.attentionFlopsPerToken(t + 1);
    }
    for (int t = 0; t < o.newTokens; t++) {
      flops += cfg.forwardFlopsPerToken() + cfg.attentionFlopsPerToken(o.prompt + t + 1);
    }
    flops *= (double) reps * batch;
    row(name, cfg, "decode", batch, generated, seconds, flops, o);
  }

  private static void train(PolicyModel policy, String name, Options o) {
    PolicyConfig cfg = policy.config();
    TeacherForcedScorer scorer = new TeacherForcedScorer(policy.decoder());
    if (o.trainLen < 2) {
      throw new IllegalArgumentException("Cannot train on --train-len " + o.trainLen
          + ": it needs at least 2 tokens (a prompt and a response)");
    }
    int promptLen = Math.min(8, o.trainLen / 2);
    List<ScoreRequest> req = new ArrayList<>();
    for (int[] p : prompts(o.trainBatch, o.trainLen, 3)) {
      req.add(new ScoreRequest(Arrays.copyOf(p, promptLen),
          Arrays.copyOfRange(p, promptLen, p.length)));
    }
    policy.decoder().setTrainable(true);
    try {
      step(policy, scorer, req);
      int reps = 0;
      long start = System.nanoTime();
      double seconds;
      do {
        step(policy, scorer, req);
        reps++;
        seconds = (System.nanoTime() - start) / 1e9;
      } while (seconds < o.minSeconds && reps < 50);
      long tokens = (long) reps * o.trainBatch * o.trainLen;
      double flops = 0;
      for (int t = 0; t < o.trainLen; t++) {
        flops += cfg.forwardFlopsPerToken() + cfg.attentionFlopsPerToken(t + 1);
      }
      flops *= 3.0 * reps * o.trainBatch;
      row(name, cfg, "train fwd+bwd", o.trainBatch, tokens, seconds, flops, o);
    } finally {
      policy.decoder().setTrainable(false);
    }
  }

  private static void step(PolicyModel policy, TeacherForcedScorer scorer,
      List<ScoreRequest> req) {
    try (NDManager scope = PolicyRuntime.newManager(policy.decoder().device());
        GradientCollector gc = Engine.getEngine("PyTorch").newGradientCollector()) {
      ScoreTensors t = scorer.forward(scope, req, DistributionParams.FULL);
      NDArray loss = t.logprobs().mean().neg();
      gc.backward(loss);
      for (NDArray p : policy.decoder().parameters().values()) {
        p.getGradient().close();
      }
    }
  }

  private static void row(String name, PolicyConfig cfg, String phase, int batch, long tokens,
      double seconds, double flops, Options o) {
    double gflops = flops / seconds / 1e9;
    System.out.printf(Locale.ROOT, "| %s | %.2fM | %s | %d | %d | %.2f | %.0f | %.1f | %.1f%% |%n",
        name, cfg.parameterCount() / 1e6, phase, batch, tokens, seconds, tokens / seconds,
        gflops, 100 * gflops / o.peakGflops);
  }

  private record Options(List<String> models, int[] batches, int prompt, int newTokens,
      int trainBatch, int trainLen, int threads, double peakGflops, String device,
      double minSeconds) {
    static Options parse(String[] args) {
      List<String> models = List.of("tiny", "mid");
      int[] batches = {1, 16, 64, 256};
      int prompt = 16;
      int newTokens = 32;
      int trainBatch = 16;
      int trainLen = 128;
      int threads = 0;
      double peak = 100;
      String device = "cpu";
      double minSeconds = 2;
      for (int i = 0; i < args.length; i += 2) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException("Cannot parse " + args[i] + ": it needs a value");
        }
        String v = args[i + 1];
        switch (args[i]) {
          case "--models" -> models = List.of(v.split(","));
          case "--batches" -> batches = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt)
              .toArray();
          case "--prompt" -> prompt = Integer.parseInt(v);
          case "--new" -> newTokens = Integer.parseInt(v);
          case "--train-batch" -> trainBatch = Integer.parseInt(v);
          case "--train-len" -> trainLen = Integer.parseInt(v);
          case "--threads" -> threads = Integer.parseInt(v);
          case "--peak-gflops" -> peak = Double.parseDouble(v);
          case "--device" -> device = v;
          case "--min-seconds" -> minSeconds = Double.parseDouble(v);
          default -> throw new IllegalArgumentException("Cannot parse option " + args[i]
              + ": use --models, --batches, --prompt, --new, --train-batch, --train-len,"
              + " --threads, --peak-gflops, --device, --min-seconds");
        }
      }
      return new Options(models, batches, prompt, newTokens, trainBatch, trainLen, threads,
          peak, device, minSeconds);
    }
  }
}
