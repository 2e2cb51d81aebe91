package com.replaylake.jobs.cli;

import com.replaylake.jobs.learn.LearnJob;
import com.replaylake.policy.learn.LearnerConfig;
import com.replaylake.schemas.Errors;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake learn}: train the latest version of a run on its experiences, publish the next. */
@Command(name = "learn", mixinStandardHelpOptions = true,
    description = {
        "Train the latest policy version k of a run on the experiences table (fresh data from k; with remix, replayed",
        "data from k-1..k-N) and publish version k+1 atomically (checkpoint + optimizer state, learner_metrics, then",
        "the policy_versions row). Learner keys (see docs/learner.md): --set KEY=VALUE or --config FILE (properties)."})
public final class LearnCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--run", required = true, description = "Run id.") String run;
  @Option(names = "--algorithm", defaultValue = "grpo", description = "grpo or remix (default: ${DEFAULT-VALUE}).") String algorithm;
  @Option(names = "--steps-per-version", defaultValue = "1", description = "Learner steps (batches) before publishing (default: ${DEFAULT-VALUE}).") int stepsPerVersion;
  @Option(names = "--batch-size", defaultValue = "64", description = "Responses per learner step (default: ${DEFAULT-VALUE}).") int batchSize;
  @Option(names = "--seed", defaultValue = "0", description = "Seed of the batch draws (default: ${DEFAULT-VALUE}).") long seed;
  @Option(names = "--device", defaultValue = "auto", description = "auto (GPU when the engine sees one), cpu or gpu:N (default: ${DEFAULT-VALUE}).") String device;
  @Option(names = "--config", paramLabel = "FILE", description = "Learner keys as a properties file.") Path configFile;
  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Learner key, repeatable; overrides --config.") Map<String, String> set = new LinkedHashMap<>();

  @Override
  public Integer call() {
    Map<String, String> config = new LinkedHashMap<>();
    if (configFile != null) {
      Properties props = new Properties();
      try (Reader r = Files.newBufferedReader(configFile)) {
        props.load(r);
      } catch (IOException e) {
        throw Errors.unreadableFile(configFile.toString(), e);
      }
      for (String key : props.stringPropertyNames()) {
        if (!LearnerConfig.KEYS.containsKey(key)) {
          throw Errors.invalidConfig(configFile.toString(), key, props.getProperty(key),
              "unknown learner key; known keys: " + LearnerConfig.KEYS.keySet());
        }
        config.put(key, props.getProperty(key).trim());
      }
    }
    config.put(LearnerConfig.ALGORITHM, algorithm);
    for (var e : set.entrySet()) {
      if (!LearnerConfig.KEYS.containsKey(e.getKey())) {
        throw Errors.invalidConfig("--set", e.getKey(), e.getValue(), "unknown learner key; known keys: "
            + LearnerConfig.KEYS.keySet());
      }
      config.put(e.getKey(), e.getValue());
    }
    var out = spec.commandLine().getOut();
    LearnJob.Result r = LearnJob.run(parent.global.lakehouse("learn"),
        new LearnJob.Options(run, stepsPerVersion, batchSize, seed, config, device), m -> out.println("  " + m));
    out.printf("learned run %s: version %d -> %d (learner steps %d..%d, %d samples, %d tokens, mean loss %.4f) "
        + "in %.1f s; checkpoint %s%n", r.runId(), r.fromVersion(), r.toVersion(), r.firstStep(), r.lastStep(),
        r.samples(), r.tokens(), r.meanLoss(), r.seconds(), r.checkpointUri());
    return 0;
  }
}
