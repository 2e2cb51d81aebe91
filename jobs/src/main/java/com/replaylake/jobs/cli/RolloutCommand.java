package com.replaylake.jobs.cli;

import com.replaylake.jobs.rollout.RolloutJob;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake rollout}: one rollout step on the executors into the rollouts table. */
@Command(name = "rollout", 
    description = {
        "Generate one rollout step: the step's prompts (a deterministic function of --seed and --step), G samples",
        "each from the policy of (run, version), written to rollouts (replacing that run/version/step) with a",
        "summary row in rollout_metrics."})
public final class RolloutCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;

  // --version is the policy version here, so only --help comes from picocli
  @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
  boolean help;
  @Spec CommandSpec spec;

  @Option(names = "--run", required = true, description = "Run id.") String run;
  @Option(names = "--version", required = true, description = "Policy version to sample from, or 'latest'.") String versionArg;
  @Option(names = "--step", required = true, description = "Rollout step (0-based), or 'auto' (version minus the RL start, as run numbers it).") String stepArg;
  @Option(names = "--dataset", required = true, description = "Dataset of the prompts.") String dataset;
  @Option(names = "--split", defaultValue = "train", description = "Split of the prompts (default: ${DEFAULT-VALUE}).") String split;
  @Option(names = "--prompts-per-step", defaultValue = "64", description = "Prompts per step (default: ${DEFAULT-VALUE}).") int promptsPerStep;
  @Option(names = {"--samples-per-prompt", "-G"}, defaultValue = "8", description = "Samples per prompt, G (default: ${DEFAULT-VALUE}).") int samplesPerPrompt;
  @Option(names = "--temperature", defaultValue = "1.0", description = "Sampling temperature; 0 = greedy (default: ${DEFAULT-VALUE}).") double temperature;
  @Option(names = "--top-p", defaultValue = "1.0", description = "Nucleus sampling mass (default: ${DEFAULT-VALUE}).") double topP;
  @Option(names = "--top-k", defaultValue = "0", description = "Top-k truncation, 0 = off (default: ${DEFAULT-VALUE}).") int topK;
  @Option(names = "--max-new-tokens", defaultValue = "64", description = "Response length limit (default: ${DEFAULT-VALUE}).") int maxNewTokens;
  @Option(names = "--seed", defaultValue = "0", description = "Run seed: prompt order and sample seeds (default: ${DEFAULT-VALUE}).") long seed;
  @Option(names = "--prompts-per-task", defaultValue = "16", description = "Prompts per Spark task (default: ${DEFAULT-VALUE}).") int promptsPerTask;
  @Option(names = "--max-batch", defaultValue = "128", description = "Sequences per generation batch (default: ${DEFAULT-VALUE}).") int maxBatch;
  @Option(names = "--prompt-template", defaultValue = "{prompt}\n", description = "Plain template when the model has no chat template (default: '{prompt}\\n').") String promptTemplate;
  @Option(names = "--gpus-per-task", defaultValue = "0", description = "GPU share per generation task (stage-level scheduling); 0 = CPU (default: ${DEFAULT-VALUE}).") double gpusPerTask;

  @Override
  public Integer call() {
    boolean numeric = versionArg.matches("-?\\d+") && stepArg.matches("-?\\d+");
    if (numeric) { // bad options fail before Spark starts
      new RolloutJob.Options(run, Integer.parseInt(versionArg), Integer.parseInt(stepArg), dataset, split,
          promptsPerStep, samplesPerPrompt, temperature, topP, topK, maxNewTokens, seed, promptsPerTask, maxBatch,
          promptTemplate, gpusPerTask);
    }
    var lakehouse = parent.global.lakehouse("rollout");
    int version = VersionArgs.version(lakehouse, run, versionArg);
    int step = VersionArgs.step(lakehouse, run, version, stepArg);
    RolloutJob.Options options = new RolloutJob.Options(run, version, step, dataset, split, promptsPerStep,
        samplesPerPrompt, temperature, topP, topK, maxNewTokens, seed, promptsPerTask, maxBatch, promptTemplate,
        gpusPerTask);
    PrintWriter out = spec.commandLine().getOut();
    RolloutJob.Result r = RolloutJob.run(lakehouse, options, m -> out.println("  " + m));
    out.printf("rollout run %s version %d step %d (epoch %d): %d prompts x %d = %d samples, %d tokens in %.1f s "
            + "(%.0f tokens/s; %.1f s in the sampler), %d tasks, %d policy loads %s%n", r.runId(), r.version(), r.step(),
        r.epoch(), r.prompts(), samplesPerPrompt, r.samples(), r.tokens(), r.seconds(), r.tokensPerSecond(),
        r.generationSeconds(), r.tasks(), r.modelLoads(), r.executorLoads());
    out.println("  finish reasons " + r.finishReasons());
    return 0;
  }
}
