package com.replaylake.jobs.cli;

import com.replaylake.jobs.ingest.IngestJob;
import com.replaylake.jobs.loop.RunLoop;
import com.replaylake.jobs.synth.ArithmeticTask;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake synth}: generate the synthetic arithmetic task and (optionally) ingest it. */
@Command(name = "synth", mixinStandardHelpOptions = true,
    description = {"Generate the synthetic verifiable task 'arith' (a+b= with every number written least-significant digit first)",
        "as one JSONL file with splits sft (with demonstrations), train (answer only) and test, and ingest it into",
        "prompts as dataset arith (unless --no-ingest)."})
public final class SynthCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--digits", defaultValue = "3", description = "Digits per operand, 1..9 (default: ${DEFAULT-VALUE}).") int digits;
  @Option(names = "--sft-examples", defaultValue = "8000", description = "Demonstrations in split sft (default: ${DEFAULT-VALUE}).") int sft;
  @Option(names = "--train-prompts", defaultValue = "8192", description = "Answer-only prompts in split train (default: ${DEFAULT-VALUE}).") int train;
  @Option(names = "--test-prompts", defaultValue = "512", description = "Held-out prompts in split test (default: ${DEFAULT-VALUE}).") int test;
  @Option(names = "--seed", defaultValue = "7", description = "Generator seed (default: ${DEFAULT-VALUE}).") long seed;
  @Option(names = "--out", paramLabel = "FILE", description = "JSONL file to write (default: <lakehouse>/synthetic/arith-d<digits>-seed<seed>.jsonl).") Path out;
  @Option(names = "--no-ingest", description = "Only write the file.") boolean noIngest;

  @Override
  public Integer call() {
    var w = spec.commandLine().getOut();
    ArithmeticTask.Options o = new ArithmeticTask.Options(digits, sft, train, test, seed);
    var lakehouse = parent.global.lakehouse("synth");
    Path file = ArithmeticTask.write(o, out != null ? out : RunLoop.syntheticFile(lakehouse, o));
    w.printf("wrote %s: %d sft, %d train, %d test problems (%d-digit operands)%n", file, sft, train, test, digits);
    if (!noIngest) {
      IngestJob.Result r = IngestJob.run(lakehouse, RunLoop.ingestOptions(file), m -> w.println("  " + m));
      w.printf("ingested %d records (%d new, %d updated, %d unchanged): %s%n", r.records(), r.inserted(), r.updated(),
          r.unchanged(), r.recordsByDatasetSplit());
    }
    return 0;
  }
}
