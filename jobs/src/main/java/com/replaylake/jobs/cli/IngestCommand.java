package com.replaylake.jobs.cli;

import com.replaylake.jobs.ingest.FieldMapping;
import com.replaylake.jobs.ingest.IngestJob;
import com.replaylake.jobs.ingest.SourceFormat;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.Lakehouse;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code replaylake ingest}: load a dataset into {@code prompts}. */
@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = {
        "Load a dataset into the prompts table (MERGE on prompt_id: re-ingesting is idempotent).",
        "Every record is parsed and validated before anything is written; bad input names file, line and field.",
        "Without --path, ingests the bundled samples: GSM8K test (dataset gsm8k) and MATH-500 (dataset math)."})
public final class IngestCommand implements Callable<Integer> {

  @ParentCommand ReplayLakeCli parent;
  @Spec CommandSpec spec;

  @Option(names = "--dataset", paramLabel = "NAME", description = "Dataset name (required with --path; for verl defaults to data_source).")
  String dataset;

  @Option(names = "--format", paramLabel = "FORMAT", description = "gsm8k, math, jsonl, parquet or verl.")
  String format;

  @Option(names = "--path", paramLabel = "URI", description = "File to read (any Hadoop FS URI; a folder for Parquet).")
  String path;

  @Option(names = "--split", paramLabel = "NAME",
      description = "Split name. Default: from the file name (test, validation), else train; for verl extra_info.split.")
  String split;

  @Option(names = "--prompt-field", paramLabel = "FIELD", description = "jsonl/parquet: prompt field (default: prompt).")
  String promptField;

  @Option(names = "--answer-field", paramLabel = "FIELD", description = "jsonl/parquet: gold answer field (default: answer).")
  String answerField;

  @Option(names = "--id-field", paramLabel = "FIELD", description = "jsonl/parquet: source id field (default: the line or row number).")
  String idField;

  @Option(names = "--reference-field", paramLabel = "FIELD", description = "jsonl/parquet: demonstration response field.")
  String referenceField;

  @Option(names = "--metadata-fields", split = ",", paramLabel = "FIELD", description = "jsonl/parquet: fields copied into metadata.")
  List<String> metadataFields;

  @Option(names = "--split-field", paramLabel = "FIELD",
      description = "jsonl/parquet: field with each record's split (records without it use --split).")
  String splitField;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    List<IngestJob.Options> jobs = new ArrayList<>();
    if (path == null) {
      if (dataset != null || format != null) {
        throw Errors.invalidOption("--path", "(none)", "--dataset and --format need a --path to read");
      }
      out.println("no --path given: ingesting the bundled samples (GSM8K test, MATH-500)");
      jobs.addAll(IngestJob.SAMPLES);
    } else {
      if (format == null) {
        throw Errors.invalidOption("--format", "(none)", "choose one of gsm8k, math, jsonl, parquet, verl");
      }
      SourceFormat sourceFormat = parseFormat(format);
      boolean generic = sourceFormat == SourceFormat.JSONL || sourceFormat == SourceFormat.PARQUET;
      if (!generic && (promptField != null || answerField != null || idField != null || referenceField != null
          || metadataFields != null || splitField != null)) {
        throw Errors.invalidOption("--format", format, "field mapping flags apply only to --format jsonl or parquet");
      }
      FieldMapping mapping = new FieldMapping(promptField, answerField, idField, referenceField, metadataFields,
          splitField);
      jobs.add(new IngestJob.Options(dataset, sourceFormat, path, split, mapping));
    }
    Lakehouse lakehouse = parent.global.lakehouse("ingest");
    for (IngestJob.Options job : jobs) {
      IngestJob.Result r = IngestJob.run(lakehouse, job, message -> out.println("  " + message));
      out.printf("ingested %s: %d records (%d new, %d updated, %d unchanged) into prompts, Delta version %d%n",
          r.path(), r.records(), r.inserted(), r.updated(), r.unchanged(), r.tableVersion());
      r.recordsByDatasetSplit().forEach((k, v) -> out.printf("  %-24s %d%n", k, v));
    }
    return 0;
  }

  static SourceFormat parseFormat(String name) {
    try {
      return SourceFormat.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw Errors.invalidOption("--format", name, "choose one of gsm8k, math, jsonl, parquet, verl");
    }
  }
}
