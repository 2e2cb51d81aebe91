package com.replaylake.policy.sampling;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.replaylake.policy.PolicyException;
import com.replaylake.policy.PolicyModel;
import com.replaylake.policy.PolicyRuntime;
import com.replaylake.policy.TestModels;
import com.replaylake.policy.model.TokenBatch;
import com.replaylake.policy.scoring.ScoreRequest;
import com.replaylake.policy.scoring.TeacherForcedScorer;
import com.replaylake.policy.scoring.TokenScores;
import com.replaylake.policy.tokenizer.ChatMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SamplerTest {
  private static PolicyModel policy;
  private static Sampler sampler;
  private static final List<int[]> PROMPTS = List.of(
      TestModels.tokens(1, 7), TestModels.tokens(2, 2), TestModels.tokens(3, 11),
      TestModels.tokens(4, 5));

  @BeforeAll
  static void load() {
    policy = TestModels.microPolicy(13);
    sampler = new Sampler(policy);
  }

  @AfterAll
  static void close() {
    policy.close();
  }

  private static SamplingParams params(double t, int k, double p, int max) {
    return SamplingParams.of(t, k, p, max, List.of());
  }

  @Test
  void sameSeedsGiveSameSamples() {
    SamplingParams p = params(1.0, 0, 1.0, 12);
    List<SampleResult> a = sampler.sample(PROMPTS, p, new long[] {1, 2, 3, 4});
    List<SampleResult> b = sampler.sample(PROMPTS, p, new long[] {1, 2, 3, 4});
    List<SampleResult> c = sampler.sample(PROMPTS, p, new long[] {5, 6, 7, 8});
    for (int i = 0; i < PROMPTS.size(); i++) {
      assertThat(b.get(i).tokenIds()).containsExactly(a.get(i).tokenIds());
      assertThat(b.get(i).logprobs()).containsExactly(a.get(i).logprobs());
      assertThat(a.get(i).tokenIds()).hasSize(12);
      assertThat(a.get(i).finishReason()).isEqualTo(FinishReason.LENGTH);
      assertThat(c.get(i).tokenIds()).isNotEqualTo(a.get(i).tokenIds());
    }
  }

  @Test
  void aRowDependsOnlyOnItsSeedNotOnTheBatch() {
    SamplingParams p = params(0.9, 40, 0.95, 10);
    List<SampleResult> batch = sampler.sample(PROMPTS, p, new long[] {11, 12, 13, 14});
    for (int i = 0; i < PROMPTS.size(); i++) {
      SampleResult alone = sampler.sample(List.of(PROMPTS.get(i)), p, new long[] {11 + i})
          .get(0);
      assertThat(alone.tokenIds()).containsExactly(batch.get(i).tokenIds());
      for (int t = 0; t < alone.logprobs().length; t++) {
        assertThat(alone.logprobs()[t]).isCloseTo(batch.get(i).logprobs()[t], within(1e-4f));
      }
    }
  }

  /**
   * The sampler's behavior log-probs (KV-cache path) equal teacher-forced scoring (full forward)
   * with the same distribution parameters. The only allowed exception is a top-p boundary tie:
   * when a token's preceding mass is within float noise of top_p, the two float paths may keep
   * different sets; such a position must then match scoring with top_p moved by ±1e-4, and be
   * rare.
   */
  @ParameterizedTest
  @CsvSource({"1.0, 0, 1.0", "0.7, 20, 1.0", "1.3, 0, 0.9", "0.8, 50, 0.8", "0.0, 0, 1.0",
      "0.6, 0, 0.5"})
  void behaviorLogprobsEqualTeacherForcedScoring(double t, int k, double p) {
    SamplingParams sp = params(t, k, p, 16);
    List<SampleResult> samples = sampler.sample(PROMPTS, sp, new long[] {21, 22, 23, 24});
    List<ScoreRequest> req = new ArrayList<>();
    for (SampleResult s : samples) {
      req.add(new ScoreRequest(s.promptTokenIds(), s.tokenIds()));
    }
    TeacherForcedScorer scorer = new TeacherForcedScorer(policy.decoder());
    List<TokenScores> scores = scorer.score(req, sp.distribution());
    List<TokenScores> full = scorer.score(req, DistributionParams.FULL);
    int truncatedDiffers = 0;
    int boundaryTies = 0;
    for (int i = 0; i < samples.size(); i++) {
      float[] behavior = samples.get(i).logprobs();
      float[] scored = scores.get(i).logprobs();
      assertThat(scored).hasSameSizeAs(behavior);
      for (int j = 0; j < behavior.length; j++) {
        assertThat(behavior[j]).as("row %d token %d", i, j).isFinite().isLessThanOrEqualTo(0f);
        if (Math.abs(behavior[j] - scored[j]) > 1e-4f) {
          boundaryTies++;
          assertThat(matchesWithTopPMoved(scorer, req.get(i), sp.distribution(), j, behavior[j]))
              .as("row %d token %d: %s vs %s is not a top-p boundary tie", i, j, behavior[j],
                  scored[j]).isTrue();
        }
        if (Math.abs(full.get(i).logprobs()[j] - behavior[j]) > 1e-3) {
          truncatedDiffers++;
        }
      }
    }
    assertThat(boundaryTies).isLessThanOrEqualTo(1);
    boolean identity = t == 1.0 && k == 0 && p == 1.0;
    assertThat(truncatedDiffers > 0).isEqualTo(!identity);
  }

  private static boolean matchesWithTopPMoved(TeacherForcedScorer scorer, ScoreRequest r,
      DistributionParams d, int token, float behavior) {
    if (d.topP() == 1.0) {
      return false;
    }
    for (double delta : new double[] {-1e-4, 1e-4}) {
      DistributionParams moved =
          new DistributionParams(d.temperature(), d.topK(), Math.min(1.0, d.topP() + delta));
      float lp = scorer.score(List.of(r), moved).get(0).logprobs()[token];
      if (Math.abs(lp - behavior) <= 1e-4f) {
        return true;
      }
    }
    return false;
  }

  @Test
  void greedyFollowsTheArgmaxOfAFullForwardPass() {
    SampleResult s = sampler.sample(List.of(PROMPTS.get(0)), params(0, 0, 1, 8), new long[] {1})
        .get(0);
    int[] prompt = PROMPTS.get(0);
    int[] all = new int[prompt.length + s.tokenIds().length];
    System.arraycopy(prompt, 0, all, 0, prompt.length);
    System.arraycopy(s.tokenIds(), 0, all, prompt.length, s.tokenIds().length);
    try (NDManager m = PolicyRuntime.newManager(Device.cpu())) {
      NDArray logits = policy.decoder().forward(m, TokenBatch.rightPadded(List.of(all), 0));
      long[] argmax = logits.argMax(-1).toLongArray();
      for (int j = 0; j < s.tokenIds().length; j++) {
        assertThat(s.tokenIds()[j]).isEqualTo((int) argmax[prompt.length - 1 + j]);
      }
    }
    assertThat(s.logprobs()).containsOnly(0f);
  }

  @Test
  void stopTokensEndRowsIndependently() {
    List<Integer> stops = IntStream.range(0, 40).boxed().toList();
    SamplingParams p = SamplingParams.of(1.0, 0, 1.0, 30, stops);
    List<SampleResult> out = sampler.sample(PROMPTS, p, new long[] {31, 32, 33, 34});
    int stopped = 0;
    for (SampleResult s : out) {
      int[] ids = s.tokenIds();
      for (int j = 0; j < ids.length - 1; j++) {
        assertThat(stops).doesNotContain(ids[j]);
      }
      if (s.finishReason() == FinishReason.STOP) {
        stopped++;
        assertThat(stops).contains(ids[ids.length - 1]);
      } else {
        assertThat(ids).hasSize(30);
        assertThat(stops).doesNotContain(ids[ids.length - 1]);
      }
      assertThat(s.logprobs()).hasSameSizeAs(ids);
    }
    assertThat(stopped).isPositive();
    assertThat(out).extracting(s -> s.tokenIds().length).doesNotHaveDuplicates();
  }

  @Test
  void samplesFollowTheTruncatedDistribution() {
    int n = 3000;
    int[] prompt = PROMPTS.get(2);
    List<int[]> prompts = new ArrayList<>();
    long[] seeds = new long[n];
    for (int i = 0; i < n; i++) {
      prompts.add(prompt);
      seeds[i] = 1000 + i;
    }
    DistributionParams dist = new DistributionParams(0.5, 8, 1.0);
    List<SampleResult> out = sampler.sample(prompts, new SamplingParams(dist, 1, List.of()),
        seeds);
    float[] lp = new TeacherForcedScorer(policy.decoder())
        .score(List.of(new ScoreRequest(prompt, new int[] {0})), dist).get(0).logprobs();
    assertThat(lp).hasSize(1);
    double[] counts = new double[policy.config().vocabSize()];
    for (SampleResult s : out) {
      counts[s.tokenIds()[0]]++;
    }
    try (NDManager m = PolicyRuntime.newManager(Device.cpu())) {
      NDArray logits = policy.decoder().forward(m, TokenBatch.rightPadded(List.of(prompt), 0))
          .get(0).get(-1).expandDims(0);
      float[] want = TokenDistribution.logProbs(logits, dist).toFloatArray();
      double tv = 0;
      for (int v = 0; v < want.length; v++) {
        double p = Math.exp(want[v]);
        if (p == 0) {
          assertThat(counts[v]).as("token %d outside the support", v).isZero();
        }
        tv += Math.abs(counts[v] / n - p);
      }
      assertThat(tv / 2).isLessThan(0.06);
    }
  }

  @Test
  void chatPromptsRenderEncodeAndSample() {
    String prompt = policy.renderPrompt(List.of(ChatMessage.user("12+34=")));
    SamplingParams p = sampler.params(DistributionParams.FULL, 5);
    assertThat(p.stopTokenIds()).contains(258);
    SampleResult r = sampler.sampleTexts(List.of(prompt), p, new long[] {3}).get(0);
    assertThat(r.promptTokenIds()).startsWith(257);
    assertThat(r.text()).isEqualTo(policy.tokenizer().decode(r.tokenIds(), true));
  }

  @Test
  void badRequestsAreRejectedBeforeAnyWork() {
    assertThatThrownBy(() -> sampler.sample(PROMPTS, params(1, 0, 1, 4), new long[] {1}))
        .isInstanceOf(PolicyException.class).hasMessageContaining("seeds");
    assertThatThrownBy(() -> sampler.sample(List.of(new int[] {1, 9999}), params(1, 0, 1, 4),
        new long[] {1})).isInstanceOf(PolicyException.class).hasMessageContaining("9999");
    assertThatThrownBy(() -> sampler.sample(List.of(new int[] {1}), params(1, 0, 1, 600),
        new long[] {1})).isInstanceOf(PolicyException.class)
        .hasMessageContaining("max_position_embeddings");
  }

  @Test
  void concurrentCallsOnOneModelGiveTheSequentialResults() throws Exception {
    SamplingParams p = params(0.9, 0, 0.95, 8);
    List<SampleResult> sequential = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      sequential.add(
          sampler.sample(List.of(PROMPTS.get(i % 4)), p, new long[] {100 + i}).get(0));
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<SampleResult>> futures = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        int row = i;
        futures.add(pool.submit(() -> new Sampler(policy)
            .sample(List.of(PROMPTS.get(row % 4)), p, new long[] {100 + row}).get(0)));
      }
      for (int i = 0; i < 8; i++) {
        SampleResult r = futures.get(i).get();
        assertThat(r.tokenIds()).containsExactly(sequential.get(i).tokenIds());
        assertThat(r.logprobs()).containsExactly(sequential.get(i).logprobs());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void manyCallsLeaveNoNativeArraysBehind() {
    NDManager system = policy.decoder().manager().getParentManager();
    TeacherForcedScorer scorer = new TeacherForcedScorer(policy.decoder());
    sampler.sample(PROMPTS, params(1, 0, 1, 3), new long[] {1, 2, 3, 4});
    int model = policy.decoder().manager().getManagedArrays().size();
    int all = system.getManagedArrays().size();
    for (int i = 0; i < 300; i++) {
      List<SampleResult> s = sampler.sample(PROMPTS, params(0.9, 10, 0.9, 3),
          new long[] {i, i + 1, i + 2, i + 3});
      scorer.score(List.of(new ScoreRequest(s.get(0).promptTokenIds(), s.get(0).tokenIds())),
          DistributionParams.FULL);
    }
    assertThat(policy.decoder().manager().getManagedArrays()).hasSize(model);
    assertThat(system.getManagedArrays()).hasSize(all);
  }
}
