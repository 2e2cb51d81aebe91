package com.replaylake.schemas;

import static com.replaylake.schemas.Columns.*;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.FloatType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;
import static org.apache.spark.sql.types.DataTypes.TimestampType;

import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructType;

/** The contract of every lakehouse table (see docs/TABLES.md, generated from these docs). */
public final class Tables {
  private Tables() {}

  private static final ArrayType INT_ARRAY = DataTypes.createArrayType(IntegerType, false);
  private static final ArrayType FLOAT_ARRAY = DataTypes.createArrayType(FloatType, false);
  private static final MapType STRING_MAP = DataTypes.createMapType(StringType, StringType, true);
  private static final MapType DOUBLE_MAP = DataTypes.createMapType(StringType, DoubleType, true);

  /** The sampling parameters of a rollout. */
  public static final StructType SAMPLING_STRUCT = new StructType()
      .add(Sampling.TEMPERATURE, DoubleType, false)
      .add(Sampling.TOP_P, DoubleType, false)
      .add(Sampling.TOP_K, IntegerType, false)
      .add(Sampling.MAX_NEW_TOKENS, IntegerType, false)
      .add(Sampling.SEED, LongType, false);

  public static final TableContract PROMPTS = TableContract.builder("prompts",
          "Prompts with checkable gold answers, one row per (dataset, source id).")
      .required(PROMPT_ID, StringType, "Stable id: first 16 hex digits of SHA-256(dataset, NUL, source_id)")
      .required(DATASET, StringType, "Dataset name given at ingest (e.g. gsm8k, math)")
      .required(SPLIT, StringType, "Split name (e.g. train, test)")
      .required(SOURCE_ID, StringType, "Id of the item in its source (unique_id, index, or split-line)")
      .required(PROMPT, StringType, "The problem text shown to the policy (before chat templating)")
      .required(GOLD_ANSWER, StringType, "The gold final answer the verifier compares against")
      .optional(REFERENCE_RESPONSE, StringType, "A demonstration solution, used by SFT and reference-anchored rewards")
      .required(METADATA, STRING_MAP, "Source-specific fields (subject, level, unique_id, data_source, ...)")
      .required(INGESTED_AT, TimestampType, "When this row was first ingested or last changed")
      .partitionedBy(DATASET)
      .build();

  public static final TableContract ROLLOUTS = TableContract.builder("rollouts",
          "Sampled responses, G per prompt and step, with the behavior policy's log-probs.")
      .required(RUN_ID, StringType, "Run identifier")
      .required(POLICY_VERSION, IntegerType, "Version of the policy that generated the sample")
      .required(STEP, IntegerType, "Rollout step within the run (0-based)")
      .required(PROMPT_ID, StringType, "The prompt (prompts.prompt_id)")
      .required(GROUP_ID, StringType, "The G samples of one prompt at one step share it")
      .required(SAMPLE_INDEX, IntegerType, "Index of the sample within its group, 0..G-1")
      .required(PROMPT_TEXT, StringType, "The prompt as rendered for the model (chat template applied)")
      .required(PROMPT_TOKEN_IDS, INT_ARRAY, "Token ids of the rendered prompt")
      .required(RESPONSE_TOKEN_IDS, INT_ARRAY, "Token ids of the sampled response (stop token included if emitted)")
      .required(BEHAVIOR_LOGPROBS, FLOAT_ARRAY, "Log-prob of each response token under the distribution actually sampled from")
      .required(RESPONSE_TEXT, StringType, "Decoded response")
      .required(FINISH_REASON, StringType, "stop (stop token) or length (max_new_tokens reached)")
      .required(SAMPLING, SAMPLING_STRUCT, "Sampling parameters: temperature, top_p, top_k, max_new_tokens, seed")
      .required(GENERATED_AT, TimestampType, "When the sample was generated")
      .optional(EXECUTOR_ID, StringType, "Spark executor that generated the sample (driver in local mode); null in rows written before it was recorded")
      .partitionedBy(RUN_ID, POLICY_VERSION)
      .build();

  public static final TableContract ROLLOUT_METRICS = TableContract.builder("rollout_metrics",
          "One row per rollout step: throughput and finish reasons of the rollout job.")
      .required(RUN_ID, StringType, "Run identifier")
      .required(POLICY_VERSION, IntegerType, "Version of the policy that generated the step")
      .required(STEP, IntegerType, "Rollout step")
      .required(EPOCH, IntegerType, "Epoch (pass over the prompt set) the step's first prompt belongs to")
      .required(PROMPT_COUNT, IntegerType, "Prompts sampled in the step")
      .required(SAMPLES, LongType, "Responses generated (prompt_count x samples per prompt)")
      .required(TOKENS, LongType, "Response tokens generated")
      .required(SECONDS, DoubleType, "Wall-clock seconds of the generation stage")
      .required(TOKENS_PER_SECOND, DoubleType, "tokens / seconds")
      .required(FINISH_REASONS, DataTypes.createMapType(StringType, LongType, true), "Responses per finish reason")
      .required(MODEL_LOADS, LongType, "Policy loads by executors during the step (0 when every executor had it cached)")
      .required(TASKS, IntegerType, "Spark tasks of the generation stage")
      .required(GENERATED_AT, TimestampType, "When the step was generated")
      .optional(GENERATION_SECONDS, DoubleType, "Seconds spent in the sampler, summed over tasks (the rest of seconds is Spark and Delta)")
      .optional(EXECUTOR_LOADS, DataTypes.createMapType(StringType, LongType, true), "Policy loads during the step per executor id (executors that had the policy cached are absent); sums to model_loads")
      .partitionedBy(RUN_ID)
      .build();

  public static final TableContract EXPERIENCES = TableContract.builder("experiences",
          "The replay table: scored rollouts with rewards and group advantages.")
      .required(RUN_ID, StringType, "Run identifier")
      .required(POLICY_VERSION, IntegerType, "Version of the behavior policy")
      .required(STEP, IntegerType, "Rollout step within the run")
      .required(PROMPT_ID, StringType, "The prompt (prompts.prompt_id)")
      .required(GROUP_ID, StringType, "Group of the sample (rollouts.group_id)")
      .required(SAMPLE_INDEX, IntegerType, "Index of the sample within its group")
      .required(PROMPT_TOKEN_IDS, INT_ARRAY, "Token ids of the rendered prompt")
      .required(RESPONSE_TOKEN_IDS, INT_ARRAY, "Token ids of the response")
      .required(BEHAVIOR_LOGPROBS, FLOAT_ARRAY, "Behavior log-prob per response token")
      .required(RESPONSE_TEXT, StringType, "Decoded response")
      .required(FINISH_REASON, StringType, "stop or length")
      .optional(REWARD, DoubleType, "Total reward; null when the verifier failed (never silently 0)")
      .required(REWARD_COMPONENTS, DOUBLE_MAP, "Each reward term by name (math, format, overlong, ...)")
      .required(STATUS, StringType, "Verifier status: correct, incorrect, no_answer, invalid_gold, timeout")
      .optional(EXTRACTED, StringType, "The answer the verifier extracted from the response")
      .required(GROUP_SIZE, IntegerType, "Samples of the group with a non-null reward")
      .optional(GROUP_MEAN, DoubleType, "Mean reward of the group")
      .optional(GROUP_STD, DoubleType, "Reward standard deviation of the group (convention per estimator)")
      .optional(ADVANTAGE, DoubleType, "Advantage broadcast to every response token; null when reward is null")
      .required(ESTIMATOR, StringType, "Advantage estimator: grpo, dr_grpo, rloo, reinforce_pp")
      .required(SCORED_AT, TimestampType, "When the sample was scored")
      .optional(SAMPLING, SAMPLING_STRUCT, "Sampling parameters of the behavior policy (the learner scores with the same distribution)")
      .partitionedBy(RUN_ID, POLICY_VERSION)
      .build();

  public static final TableContract SCORE_METRICS = TableContract.builder("score_metrics",
          "One row per scored (run, version): reward and group summary of the score job.")
      .required(RUN_ID, StringType, "Run identifier")
      .required(POLICY_VERSION, IntegerType, "Scored behavior version")
      .required(ESTIMATOR, StringType, "Advantage estimator used")
      .required(REWARD_SPEC, StringType, "Reward terms summed into reward, e.g. math+format")
      .required(SAMPLES, LongType, "Rollout samples scored (before zero-variance filtering)")
      .required(GROUPS, LongType, "Groups scored (before zero-variance filtering)")
      .optional(MEAN_REWARD, DoubleType, "Mean total reward over samples with a non-null reward")
      .optional(PASS_RATE, DoubleType, "Fraction of samples the verifier judged correct")
      .required(NULL_REWARDS, LongType, "Samples without a reward (timeout, invalid gold): excluded from group statistics")
      .required(ZERO_VARIANCE_GROUPS, LongType, "Groups whose non-null rewards are all equal")
      .required(ZERO_VARIANCE_SAMPLES_DROPPED, LongType, "Samples dropped by filter_zero_variance (0 when the filter is off)")
      .required(INCOMPLETE_GROUPS, LongType, "Groups with fewer samples than expected_group_size")
      .optional(EXPECTED_GROUP_SIZE, IntegerType, "Samples per group asked of the rollout job; null when unknown")
      .required(STATUS_COUNTS, DataTypes.createMapType(StringType, LongType, true), "Samples per verifier status")
      .required(ROWS_WRITTEN, LongType, "Rows written to experiences for this (run, version)")
      .required(SECONDS, DoubleType, "Wall-clock seconds of the score job")
      .required(SCORED_AT, TimestampType, "When the job scored")
      .partitionedBy(RUN_ID)
      .build();

  public static final TableContract POLICY_VERSIONS = TableContract.builder("policy_versions",
          "Published policy checkpoints; a row here is the commit point of a checkpoint.")
      .required(RUN_ID, StringType, "Run identifier")
      .required(VERSION, IntegerType, "Policy version, 0 for the base")
      .optional(PARENT_VERSION, IntegerType, "Version it was trained from; null for a base")
      .required(KIND, StringType, "base, sft or rl")
      .required(CHECKPOINT_URI, StringType, "URI of the checkpoint folder (HF layout)")
      .required(LEARNER_STEP, IntegerType, "Learner steps taken in the run when published")
      .required(CREATED_AT, TimestampType, "When the version was committed")
      .required(CONFIG, STRING_MAP, "Configuration that produced it (key -> value)")
      .partitionedBy(RUN_ID)
      .build();

  public static final TableContract LEARNER_METRICS = TableContract.builder("learner_metrics",
          "One row per learner optimizer step.")
      .required(RUN_ID, StringType, "Run identifier")
      .required(LEARNER_STEP, IntegerType, "Learner step (optimizer update) within the run")
      .required(POLICY_VERSION, IntegerType, "The version this step produced")
      .optional(LOSS, DoubleType, "Total loss")
      .optional(PG_LOSS, DoubleType, "Policy-gradient (clipped surrogate) term")
      .optional(KL_LOSS, DoubleType, "KL penalty term (beta times KL)")
      .optional(ENTROPY_LOSS, DoubleType, "Entropy bonus term")
      .optional(KL_BASE, DoubleType, "k3 KL to the base/reference policy, per token")
      .optional(KL_PREV, DoubleType, "k3 KL to the previous version, per token")
      .optional(ENTROPY, DoubleType, "Mean token entropy of the current policy")
      .optional(CLIP_FRACTION_LOW, DoubleType, "Fraction of tokens clipped at the lower bound")
      .optional(CLIP_FRACTION_HIGH, DoubleType, "Fraction of tokens clipped at the upper bound")
      .optional(RATIO_MEAN, DoubleType, "Mean importance ratio")
      .optional(RATIO_MAX, DoubleType, "Max importance ratio")
      .optional(GRAD_NORM, DoubleType, "Gradient norm before clipping")
      .optional(LR, DoubleType, "Learning rate used")
      .optional(TOKENS, LongType, "Response tokens trained on")
      .optional(SAMPLES, LongType, "Responses trained on")
      .optional(FRESH_FRACTION, DoubleType, "Fraction of samples from the current version")
      .optional(REPLAYED_FRACTION, DoubleType, "Fraction of samples replayed from older versions")
      .optional(STALENESS_HISTOGRAM, DataTypes.createMapType(IntegerType, LongType, true),
          "Samples by staleness (current version minus behavior version)")
      .optional(MEAN_RESPONSE_LENGTH, DoubleType, "Mean response length in tokens")
      .optional(SECONDS, DoubleType, "Wall-clock seconds of the step")
      .required(RECORDED_AT, TimestampType, "When the row was written")
      .partitionedBy(RUN_ID)
      .build();

  public static final TableContract EVALUATIONS = TableContract.builder("evaluations",
          "Held-out evaluation of a policy version (greedy decoding, verifier).")
      .required(RUN_ID, StringType, "Run identifier")
      .required(POLICY_VERSION, IntegerType, "Evaluated version")
      .required(DATASET, StringType, "Dataset evaluated on")
      .required(SPLIT, StringType, "Split evaluated on")
      .required(N, LongType, "Prompts evaluated")
      .required(N_CORRECT, LongType, "Prompts answered correctly")
      .required(PASS_AT_1, DoubleType, "n_correct / n with greedy decoding")
      .optional(MEAN_RESPONSE_LENGTH, DoubleType, "Mean response length in tokens")
      .required(EVALUATED_AT, TimestampType, "When the evaluation ran")
      .partitionedBy(RUN_ID)
      .build();

  public static final TableContract PARAM_DYNAMICS = TableContract.builder("param_dynamics",
          "Parameter-level dynamics between two checkpoints (ALGORITHMS.md section 5).")
      .required(RUN_ID, StringType, "Run identifier")
      .required(FROM_VERSION, IntegerType, "Base version W0")
      .required(TO_VERSION, IntegerType, "Compared version W1")
      .optional(COMPARE_RUN_ID, StringType, "Second run for cross-run locality, or null")
      .optional(COMPARE_TO_VERSION, IntegerType, "Version of the second run, or null")
      .required(SCOPE, StringType, "tensor, layer or model (aggregation level of the row)")
      .required(TENSOR, StringType, "HF parameter name; layer/model rows use a summary name")
      .optional(LAYER, IntegerType, "Decoder layer index; null for non-layer tensors and model rows")
      .optional(SHAPE, DataTypes.createArrayType(LongType, false), "Tensor shape")
      .required(NUMEL, LongType, "Number of entries compared")
      .optional(UPDATE_SPARSITY, DoubleType, "Fraction of entries whose bf16 bit pattern is unchanged")
      .optional(SPECTRAL_DRIFT, DoubleType, "||sigma(W1) - sigma(W0)|| / ||sigma(W0)||")
      .optional(TOP_K_SUBSPACE, IntegerType, "k of the top-k singular subspaces")
      .optional(PRINCIPAL_ANGLE_LEFT_MAX, DoubleType, "Max principal angle (radians), left subspaces")
      .optional(PRINCIPAL_ANGLE_LEFT_MEAN, DoubleType, "Mean principal angle (radians), left subspaces")
      .optional(PRINCIPAL_ANGLE_RIGHT_MAX, DoubleType, "Max principal angle (radians), right subspaces")
      .optional(PRINCIPAL_ANGLE_RIGHT_MEAN, DoubleType, "Mean principal angle (radians), right subspaces")
      .optional(ALPHA, DoubleType, "Mask fraction alpha for M_princ and M_low")
      .optional(PRINCIPAL_OVERLAP, DoubleType, "|M_princ and M_upd| / |M_upd|")
      .optional(LOW_MAGNITUDE_OVERLAP, DoubleType, "|M_low and M_upd| / |M_upd|")
      .optional(OVERLAP_BASELINE, DoubleType, "Random baseline of the overlaps (alpha)")
      .optional(JACCARD, DoubleType, "Jaccard of the two runs' change masks")
      .optional(JACCARD_BASELINE, DoubleType, "Independent baseline pq/(p+q-pq)")
      .required(COMPUTED_AT, TimestampType, "When the row was computed")
      .partitionedBy(RUN_ID)
      .build();

  /** All contracts, in pipeline order. */
  public static final List<TableContract> ALL = List.of(
      PROMPTS, ROLLOUTS, ROLLOUT_METRICS, EXPERIENCES, SCORE_METRICS, POLICY_VERSIONS, LEARNER_METRICS, EVALUATIONS, PARAM_DYNAMICS);

  public static Optional<TableContract> byName(String name) {
    return ALL.stream().filter(t -> t.name().equals(name)).findFirst();
  }
}
