package com.replaylake.jobs.cli;

import com.replaylake.schemas.ReplayLakeException;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code bin/replaylake}: the command line of every ReplayLake job. */
@Command(name = "replaylake", mixinStandardHelpOptions = true, versionProvider = ReplayLakeCli.Version.class,
    description = "Reinforcement learning with verifiable rewards as a Spark batch pipeline.",
    subcommands = {
        InitCommand.class,
        TablesCommand.class,
        SqlCommand.class,
        IngestCommand.class,
        DemoCommand.class,
        VerifyCommand.class,
        RegisterBaseCommand.class,
        SynthCommand.class,
        SftCommand.class,
        RunCommand.class,
        ReportCommand.class,
        CompareCommand.class,
        RolloutCommand.class,
        ScoreCommand.class,
        LearnCommand.class,
        EvaluateCommand.class,
        AnalyzeCommand.class,
        BenchCommand.class,
        CommandLine.HelpCommand.class
    })
public final class ReplayLakeCli implements Runnable {

  @Mixin GlobalOptions global;

  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  public static void main(String[] args) {
    int code = execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true), true);
    System.exit(code);
  }

  /**
   * Runs a command line and returns its exit code.
   *
   * @param stopSpark stop the SparkSession afterwards (false in tests that share one session)
   */
  public static int execute(String[] args, PrintWriter out, PrintWriter err, boolean stopSpark) {
    ReplayLakeCli root = new ReplayLakeCli();
    CommandLine cli = new CommandLine(root);
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
      if (e instanceof ReplayLakeException rle) {
        commandLine.getErr().println("error: " + rle.getMessage());
        return rle.exitCode();
      }
      ReplayLakeException wrapped = findCause(e);
      if (wrapped != null) {
        commandLine.getErr().println("error: " + wrapped.getMessage());
        return wrapped.exitCode();
      }
      commandLine.getErr().println("error: " + e);
      e.printStackTrace(commandLine.getErr());
      return 1;
    });
    try {
      return cli.execute(args);
    } finally {
      if (stopSpark && root.global != null) {
        root.global.close();
      }
    }
  }

  private static ReplayLakeException findCause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof ReplayLakeException rle) {
        return rle;
      }
    }
    return null;
  }

  /** Version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = ReplayLakeCli.class.getPackage().getImplementationVersion();
      return new String[] {"replaylake " + (v == null ? "dev" : v)};
    }
  }
}
