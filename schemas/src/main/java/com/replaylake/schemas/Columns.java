package com.replaylake.schemas;

/**
 * Every column name of every lakehouse table, spelled once. Jobs refer to these constants, never
 * to string literals; {@link Tables} holds each column's type and doc.
 */
public final class Columns {
  private Columns() {}

  // identity shared by per-run tables
  public static final String RUN_ID = "run_id";
  public static final String POLICY_VERSION = "policy_version";
  public static final String STEP = "step";

  // prompts
  public static final String PROMPT_ID = "prompt_id";
  public static final String DATASET = "dataset";
  public static final String SPLIT = "split";
  public static final String SOURCE_ID = "source_id";
  public static final String PROMPT = "prompt";
  public static final String GOLD_ANSWER = "gold_answer";
  public static final String REFERENCE_RESPONSE = "reference_response";
  public static final String METADATA = "metadata";
  public static final String INGESTED_AT = "ingested_at";

  // rollouts
  public static final String GROUP_ID = "group_id";
  public static final String SAMPLE_INDEX = "sample_index";
  public static final String PROMPT_TEXT = "prompt_text";
  public static final String PROMPT_TOKEN_IDS = "prompt_token_ids";
  public static final String RESPONSE_TOKEN_IDS = "response_token_ids";
  public static final String BEHAVIOR_LOGPROBS = "behavior_logprobs";
  public static final String RESPONSE_TEXT = "response_text";
  public static final String FINISH_REASON = "finish_reason";
  public static final String SAMPLING = "sampling";
  public static final String EXECUTOR_ID = "executor_id";
  public static final String GENERATED_AT = "generated_at";

  /** Fields of the {@link #SAMPLING} struct. */
  public static final class Sampling {
    private Sampling() {}

    public static final String TEMPERATURE = "temperature";
    public static final String TOP_P = "top_p";
    public static final String TOP_K = "top_k";
    public static final String MAX_NEW_TOKENS = "max_new_tokens";
    public static final String SEED = "seed";
  }

  // experiences
  public static final String REWARD = "reward";
  public static final String REWARD_COMPONENTS = "reward_components";
  public static final String STATUS = "status";
  public static final String EXTRACTED = "extracted";
  public static final String GROUP_SIZE = "group_size";
  public static final String GROUP_MEAN = "group_mean";
  public static final String GROUP_STD = "group_std";
  public static final String ADVANTAGE = "advantage";
  public static final String ESTIMATOR = "estimator";
  public static final String SCORED_AT = "scored_at";

  // rollout_metrics
  public static final String PROMPT_COUNT = "prompt_count";
  public static final String TOKENS_PER_SECOND = "tokens_per_second";
  public static final String FINISH_REASONS = "finish_reasons";
  public static final String MODEL_LOADS = "model_loads";
  public static final String TASKS = "tasks";
  public static final String EPOCH = "epoch";
  public static final String GENERATION_SECONDS = "generation_seconds";
  public static final String EXECUTOR_LOADS = "executor_loads";

  // score_metrics
  public static final String REWARD_SPEC = "reward_spec";
  public static final String GROUPS = "groups";
  public static final String MEAN_REWARD = "mean_reward";
  public static final String PASS_RATE = "pass_rate";
  public static final String NULL_REWARDS = "null_rewards";
  public static final String ZERO_VARIANCE_GROUPS = "zero_variance_groups";
  public static final String ZERO_VARIANCE_SAMPLES_DROPPED = "zero_variance_samples_dropped";
  public static final String INCOMPLETE_GROUPS = "incomplete_groups";
  public static final String EXPECTED_GROUP_SIZE = "expected_group_size";
  public static final String STATUS_COUNTS = "status_counts";
  public static final String ROWS_WRITTEN = "rows_written";

  // policy_versions
  public static final String VERSION = "version";
  public static final String PARENT_VERSION = "parent_version";
  public static final String KIND = "kind";
  public static final String CHECKPOINT_URI = "checkpoint_uri";
  public static final String LEARNER_STEP = "learner_step";
  public static final String CREATED_AT = "created_at";
  public static final String CONFIG = "config";

  // learner_metrics
  public static final String LOSS = "loss";
  public static final String PG_LOSS = "pg_loss";
  public static final String KL_LOSS = "kl_loss";
  public static final String ENTROPY_LOSS = "entropy_loss";
  public static final String KL_BASE = "kl_base";
  public static final String KL_PREV = "kl_prev";
  public static final String ENTROPY = "entropy";
  public static final String CLIP_FRACTION_LOW = "clip_fraction_low";
  public static final String CLIP_FRACTION_HIGH = "clip_fraction_high";
  public static final String RATIO_MEAN = "ratio_mean";
  public static final String RATIO_MAX = "ratio_max";
  public static final String GRAD_NORM = "grad_norm";
  public static final String LR = "lr";
  public static final String TOKENS = "tokens";
  public static final String SAMPLES = "samples";
  public static final String FRESH_FRACTION = "fresh_fraction";
  public static final String REPLAYED_FRACTION = "replayed_fraction";
  public static final String STALENESS_HISTOGRAM = "staleness_histogram";
  public static final String MEAN_RESPONSE_LENGTH = "mean_response_length";
  public static final String SECONDS = "seconds";
  public static final String RECORDED_AT = "recorded_at";

  // evaluations
  public static final String N = "n";
  public static final String N_CORRECT = "n_correct";
  public static final String PASS_AT_1 = "pass_at_1";
  public static final String EVALUATED_AT = "evaluated_at";

  // param_dynamics
  public static final String FROM_VERSION = "from_version";
  public static final String TO_VERSION = "to_version";
  public static final String COMPARE_RUN_ID = "compare_run_id";
  public static final String COMPARE_TO_VERSION = "compare_to_version";
  public static final String SCOPE = "scope";
  public static final String TENSOR = "tensor";
  public static final String LAYER = "layer";
  public static final String SHAPE = "shape";
  public static final String NUMEL = "numel";
  public static final String UPDATE_SPARSITY = "update_sparsity";
  public static final String SPECTRAL_DRIFT = "spectral_drift";
  public static final String TOP_K_SUBSPACE = "top_k_subspace";
  public static final String PRINCIPAL_ANGLE_LEFT_MAX = "principal_angle_left_max";
  public static final String PRINCIPAL_ANGLE_LEFT_MEAN = "principal_angle_left_mean";
  public static final String PRINCIPAL_ANGLE_RIGHT_MAX = "principal_angle_right_max";
  public static final String PRINCIPAL_ANGLE_RIGHT_MEAN = "principal_angle_right_mean";
  public static final String ALPHA = "alpha";
  public static final String PRINCIPAL_OVERLAP = "principal_overlap";
  public static final String LOW_MAGNITUDE_OVERLAP = "low_magnitude_overlap";
  public static final String OVERLAP_BASELINE = "overlap_baseline";
  public static final String JACCARD = "jaccard";
  public static final String JACCARD_BASELINE = "jaccard_baseline";
  public static final String COMPUTED_AT = "computed_at";
}
