package com.replaylake.jobs.cli;

import com.replaylake.jobs.policy.PolicyVersions;
import com.replaylake.jobs.RunIds;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake register-base}: version 0 of a run. */
@Command(name = "register-base", mixinStandardHelpOptions = true,
    description = {"Register version 0 (kind base) of a run: copy a Hugging Face checkpoint folder into the lakehouse",
        "and commit its policy_versions row; without --checkpoint, the built-in tiny demo policy."})
public final class RegisterBaseCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--run", required = true, description = "Run id.") String run;
  @Option(names = "--checkpoint", paramLabel = "URI", description = "HF checkpoint folder (config.json, model.safetensors, tokenizer.json).") String checkpoint;
  @Option(names = "--plain", description = "Without --checkpoint: the tiny policy without chat template (plain-text prompts, eos <|endoftext|>), as the demo uses.") boolean plain;
  @Option(names = "--seed", defaultValue = "0", description = "Seed of the tiny policy's random weights (default: ${DEFAULT-VALUE}).") long seed;

  @Override
  public Integer call() {
    RunIds.check(run);
    String uri = PolicyVersions.registerBase(parent.global.lakehouse("register-base"), run, checkpoint, seed, !plain);
    spec.commandLine().getOut().println("registered run " + run + " version 0 (base) at " + uri);
    return 0;
  }
}
