package com.replaylake.jobs.cli;

import com.replaylake.schemas.Errors;
import com.replaylake.udfs.verify.JsonlVerifier;
import com.replaylake.udfs.verify.VerifierConfig;
import com.replaylake.udfs.verify.VerifyMode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code replaylake verify}: scores a JSONL file of responses with the math verifier, without
 * Spark. The logic lives in {@link JsonlVerifier}; this class only maps options and prints.
 */
@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {
        "Verify math answers in a JSONL file: adds reward, status and extracted to every object.",
        "Extraction: last \\boxed{}, then '#### N', then 'the answer is X'; --mode lenient adds a last-number fallback.",
        "Statuses: correct (reward 1), incorrect and no_answer (0), invalid_gold and timeout (reward null).",
        "Bad input names file, line and column, and no output is written."})
public final class VerifyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--input", required = true, paramLabel = "FILE", description = "JSONL file to verify.")
  Path input;

  @Option(names = "--output", paramLabel = "FILE",
      description = "Where to write the annotated JSONL (replaced atomically). Default: records to stdout, summary to stderr.")
  Path output;

  @Option(names = "--response-field", paramLabel = "FIELD", defaultValue = JsonlVerifier.Options.DEFAULT_RESPONSE_FIELD,
      description = "Field holding the model response (default: ${DEFAULT-VALUE}).")
  String responseField;

  @Option(names = "--gold-field", paramLabel = "FIELD", defaultValue = JsonlVerifier.Options.DEFAULT_GOLD_FIELD,
      description = "Field holding the gold answer, or a full solution ending in \\boxed{} or '#### N' (default: ${DEFAULT-VALUE}).")
  String goldField;

  @Option(names = "--mode", paramLabel = "MODE", defaultValue = "strict",
      description = "strict (default) or lenient (falls back to the last number in the response).")
  String mode;

  @Override
  public Integer call() {
    VerifyMode verifyMode;
    try {
      verifyMode = VerifyMode.parse(mode);
    } catch (IllegalArgumentException e) {
      throw Errors.invalidOption("--mode", mode, "choose strict or lenient");
    }
    JsonlVerifier.Options options = new JsonlVerifier.Options(
        input, output, responseField, goldField, VerifierConfig.of(verifyMode));
    JsonlVerifier.Summary summary;
    try {
      summary = JsonlVerifier.run(options, spec.commandLine().getOut());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot verify " + input + ": " + e.getMessage(), e);
    }
    PrintWriter report = output == null ? spec.commandLine().getErr() : spec.commandLine().getOut();
    report.print(summary.render(input, verifyMode));
    if (output != null) {
      report.println("wrote " + output);
    }
    report.flush();
    return 0;
  }
}
