package com.replaylake.jobs.cli;

import com.replaylake.jobs.sft.SftJob;
import com.replaylake.policy.learn.LearnerConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake sft}: supervised warm start from demonstrations, publishing a version of kind sft. */
@Command(name = "sft", mixinStandardHelpOptions = true,
    description = {"Supervised warm start: train the latest version k of a run on the reference_response",
        "demonstrations of a dataset split (token-mean NLL; with --anchor-beta > 0 plus beta * KL to version k)",
        "and publish version k+1 of kind sft (checkpoint, learner_metrics rows, policy_versions row)."})
public final class SftCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--run", required = true, description = "Run id.") String run;
  @Option(names = "--dataset", required = true, description = "Dataset with demonstrations.") String dataset;
  @Option(names = "--split", defaultValue = "sft", description = "Split with demonstrations (default: ${DEFAULT-VALUE}).") String split;
  @Option(names = "--steps", defaultValue = "150", description = "AdamW updates (default: ${DEFAULT-VALUE}).") int steps;
  @Option(names = "--batch-size", defaultValue = "64", description = "Demonstrations per update (default: ${DEFAULT-VALUE}).") int batchSize;
  @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate (default: ${DEFAULT-VALUE}).") String lr;
  @Option(names = "--anchor-beta", defaultValue = "0", description = "Reference-anchored SFT: beta of KL(pi || version k); 0 = plain NLL (default: ${DEFAULT-VALUE}).") double anchorBeta;
  @Option(names = "--stop-at", defaultValue = "0", description = "Early stop once greedy decoding reproduces this fraction of 128 demonstrations; 0 = off (default: ${DEFAULT-VALUE}).") double stopAt;
  @Option(names = "--check-every", defaultValue = "25", description = "Steps between early-stopping checks (default: ${DEFAULT-VALUE}).") int checkEvery;
  @Option(names = "--seed", defaultValue = "0", description = "Seed of the batch order (default: ${DEFAULT-VALUE}).") long seed;
  @Option(names = "--prompt-template", defaultValue = "{prompt}", description = "Plain template when the model has no chat template (default: ${DEFAULT-VALUE}); must match rollout's.") String promptTemplate;
  @Option(names = "--device", defaultValue = "auto", description = "auto, cpu or gpu:N (default: ${DEFAULT-VALUE}).") String device;
  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Optimizer key of the learner (warmup_steps, lr_schedule, total_steps, weight_decay, grad_clip, micro_batch_tokens, ...).") Map<String, String> set = new LinkedHashMap<>();

  @Override
  public Integer call() {
    Map<String, String> config = new LinkedHashMap<>(set);
    config.put(LearnerConfig.LR, lr);
    var out = spec.commandLine().getOut();
    SftJob.Result r = SftJob.run(parent.global.lakehouse("sft"), new SftJob.Options(run, dataset, split, steps,
        batchSize, seed, promptTemplate, anchorBeta, config, device, stopAt, checkEvery), m -> out.println("  " + m));
    out.printf("sft run %s: version %d -> %d, %d steps on %d demonstrations (%d tokens), loss %.4f -> %.4f, "
        + "token accuracy %.3f, %.1f s; checkpoint %s%n", r.runId(), r.fromVersion(), r.toVersion(), r.steps(),
        r.demonstrations(), r.tokens(), r.firstLoss(), r.lastLoss(), r.lastTokenAccuracy(), r.seconds(),
        r.checkpointUri());
    return 0;
  }
}
