package com.replaylake.jobs.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromptScheduleTest {

  private static List<String> ids(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(String.format("p%03d", i));
    }
    return ids;
  }

  @Test
  void everyEpochVisitsEveryPromptExactlyOnce() {
    PromptSchedule schedule = new PromptSchedule(ids(10), 42);
    List<String> taken = new ArrayList<>();
    for (int step = 0; step < 10; step++) {
      taken.addAll(schedule.promptsForStep(step, 3)); // 30 prompts = 3 epochs, steps cross epoch borders
    }
    for (int epoch = 0; epoch < 3; epoch++) {
      assertThat(new HashSet<>(taken.subList(epoch * 10, epoch * 10 + 10))).hasSize(10);
    }
    assertThat(schedule.epochOf(3, 3)).isZero();
    assertThat(schedule.epochOf(4, 3)).isEqualTo(1);
  }

  @Test
  void aResumedRunTakesWhatAnUninterruptedRunWouldHave() {
    List<String> uninterrupted = new ArrayList<>();
    PromptSchedule a = new PromptSchedule(ids(25), 7);
    for (int step = 0; step < 12; step++) {
      uninterrupted.addAll(a.promptsForStep(step, 4));
    }
    // a new process (new object, input ids in another order) resumes at step 5
    List<String> shuffledInput = new ArrayList<>(ids(25));
    java.util.Collections.reverse(shuffledInput);
    PromptSchedule b = new PromptSchedule(shuffledInput, 7);
    List<String> resumed = new ArrayList<>(uninterrupted.subList(0, 20));
    for (int step = 5; step < 12; step++) {
      resumed.addAll(b.promptsForStep(step, 4));
    }
    assertThat(resumed).isEqualTo(uninterrupted);
  }

  @Test
  void seedsChangeTheOrderAndDeriveStableSampleSeeds() {
    assertThat(new PromptSchedule(ids(50), 1).epochOrder(0)).isNotEqualTo(new PromptSchedule(ids(50), 2).epochOrder(0));
    assertThat(new PromptSchedule(ids(50), 1).epochOrder(0)).isNotEqualTo(new PromptSchedule(ids(50), 1).epochOrder(1));
    long s = PromptSchedule.Seeds.mix(1, 2, "abc", 3);
    assertThat(PromptSchedule.Seeds.mix(1, 2, "abc", 3)).isEqualTo(s);
    Set<Long> distinct = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      distinct.add(PromptSchedule.Seeds.mix(1, 2, "abc", i));
    }
    assertThat(distinct).hasSize(100);
    assertThat(PromptSchedule.Seeds.mix(1, 3, "abc", 3)).isNotEqualTo(s);
  }

  @Test
  void tooManyPromptsPerStepIsRefused() {
    assertThatThrownBy(() -> new PromptSchedule(ids(3), 0).promptsForStep(0, 4)).hasMessageContaining("[1, 3]");
  }
}
