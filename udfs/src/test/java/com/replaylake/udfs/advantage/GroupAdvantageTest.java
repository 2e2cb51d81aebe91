package com.replaylake.udfs.advantage;

import static com.replaylake.schemas.Columns.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.replaylake.schemas.SparkTestSession;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class GroupAdvantageTest {

  private final SparkSession spark = SparkTestSession.get();

  private static final StructType SCHEMA = new StructType()
      .add(RUN_ID, DataTypes.StringType)
      .add(POLICY_VERSION, DataTypes.IntegerType)
      .add(GROUP_ID, DataTypes.StringType)
      .add(SAMPLE_INDEX, DataTypes.IntegerType)
      .add(REWARD, DataTypes.DoubleType);

  /** Groups: g1 = {1, 0, 0, 1}, g2 = {1} (size 1), g3 = {0.5, 0.5, 0.5} (all equal), g4 = {1, null, 0}. */
  private Dataset<Row> frame() {
    List<Row> rows = new ArrayList<>();
    add(rows, "g1", 1.0, 0.0, 0.0, 1.0);
    add(rows, "g2", 1.0);
    add(rows, "g3", 0.5, 0.5, 0.5);
    add(rows, "g4", 1.0, null, 0.0);
    return spark.createDataFrame(rows, SCHEMA);
  }

  private static void add(List<Row> rows, String group, Double... rewards) {
    for (int i = 0; i < rewards.length; i++) {
      rows.add(RowFactory.create("r", 3, group, i, rewards[i]));
    }
  }

  private Map<String, Double> advantages(GroupAdvantage.Options options) {
    Map<String, Double> out = new HashMap<>();
    for (Row r : GroupAdvantage.apply(frame(), options).collectAsList()) {
      out.put(r.<String>getAs(GROUP_ID) + "/" + r.<Integer>getAs(SAMPLE_INDEX),
          r.isNullAt(r.fieldIndex(ADVANTAGE)) ? null : r.<Double>getAs(ADVANTAGE));
    }
    return out;
  }

  @Test
  void grpoByHand() {
    Map<String, Double> a = advantages(GroupAdvantage.Options.of(Estimator.GRPO));
    double std = Math.sqrt((4 * 0.25) / 3.0); // sample std of {1,0,0,1}
    assertThat(a.get("g1/0")).isCloseTo(0.5 / (std + 1e-6), within(1e-12));
    assertThat(a.get("g1/1")).isCloseTo(-0.5 / (std + 1e-6), within(1e-12));
    assertThat(a.get("g2/0")).isEqualTo(0.0);
    assertThat(a.get("g3/0")).isEqualTo(0.0);
    assertThat(a.get("g3/2")).isEqualTo(0.0);
    // g4: rewards {1, 0} after excluding the null: mean 0.5, sample std sqrt(0.5)
    assertThat(a.get("g4/0")).isCloseTo(0.5 / (Math.sqrt(0.5) + 1e-6), within(1e-12));
    assertThat(a.get("g4/1")).isNull();
    assertThat(a.get("g4/2")).isCloseTo(-0.5 / (Math.sqrt(0.5) + 1e-6), within(1e-12));
  }

  @Test
  void drGrpoAndRlooByHand() {
    Map<String, Double> dr = advantages(GroupAdvantage.Options.of(Estimator.DR_GRPO));
    assertThat(dr.get("g1/0")).isEqualTo(0.5);
    assertThat(dr.get("g1/2")).isEqualTo(-0.5);
    assertThat(dr.get("g2/0")).isEqualTo(0.0);
    assertThat(dr.get("g4/1")).isNull();
    Map<String, Double> rloo = advantages(GroupAdvantage.Options.of(Estimator.RLOO));
    // R_i - mean of the others: 1 - (0+0+1)/3 = 2/3
    assertThat(rloo.get("g1/0")).isCloseTo(2.0 / 3, within(1e-12));
    assertThat(rloo.get("g1/1")).isCloseTo(-2.0 / 3, within(1e-12));
    assertThat(rloo.get("g4/0")).isCloseTo(1.0, within(1e-12)); // 1 - 0
    assertThat(rloo.get("g2/0")).isEqualTo(0.0);
    assertThat(rloo.get("g3/1")).isEqualTo(0.0);
  }

  @Test
  void reinforcePlusPlusNormalizesOverTheBatch() {
    Map<String, Double> a = advantages(GroupAdvantage.Options.of(Estimator.REINFORCE_PP));
    // centred values over non-null samples: g1 {.5,-.5,-.5,.5}, g2 {0}, g3 {0,0,0}, g4 {.5,-.5}
    double[] xs = {.5, -.5, -.5, .5, 0, 0, 0, 0, .5, -.5};
    double mean = 0;
    double var = 0;
    for (double x : xs) {
      mean += x / xs.length;
    }
    for (double x : xs) {
      var += (x - mean) * (x - mean) / (xs.length - 1);
    }
    assertThat(a.get("g1/0")).isCloseTo((0.5 - mean) / (Math.sqrt(var) + 1e-6), within(1e-12));
    assertThat(a.get("g4/2")).isCloseTo((-0.5 - mean) / (Math.sqrt(var) + 1e-6), within(1e-12));
    assertThat(a.get("g3/0")).isEqualTo(0.0);
    assertThat(a.get("g4/1")).isNull();
  }

  @Test
  void groupAdvantagesSumToZeroForGrpoAndRloo() {
    for (Estimator e : List.of(Estimator.GRPO, Estimator.RLOO, Estimator.DR_GRPO)) {
      Map<String, Double> a = advantages(GroupAdvantage.Options.of(e));
      Map<String, Double> sums = new HashMap<>();
      a.forEach((k, v) -> sums.merge(k.substring(0, 2), v == null ? 0.0 : v, Double::sum));
      sums.values().forEach(s -> assertThat(s).as(e.sqlName()).isCloseTo(0.0, within(1e-9)));
    }
  }

  @Test
  void statisticsExcludeNullRewards() {
    Row g4 = GroupAdvantage.apply(frame(), GroupAdvantage.Options.of(Estimator.GRPO))
        .where("group_id = 'g4' AND sample_index = 0").head();
    assertThat(g4.<Integer>getAs(GROUP_SIZE)).isEqualTo(2);
    assertThat(g4.<Double>getAs(GROUP_MEAN)).isEqualTo(0.5);
    assertThat(g4.<Double>getAs(GROUP_STD)).isCloseTo(Math.sqrt(0.5), within(1e-12));
    assertThat(g4.<String>getAs(ESTIMATOR)).isEqualTo("grpo");
    Row g2 = GroupAdvantage.apply(frame(), GroupAdvantage.Options.of(Estimator.GRPO)).where("group_id = 'g2'").head();
    assertThat(g2.isNullAt(g2.fieldIndex(GROUP_STD))).as("std of one sample").isTrue();
  }

  @Test
  void zeroVarianceFilterDropsAllEqualGroups() {
    var options = new GroupAdvantage.Options(Estimator.GRPO, 1e-6, true, 4);
    List<Row> kept = GroupAdvantage.apply(frame(), options).collectAsList();
    assertThat(kept).extracting(r -> r.<String>getAs(GROUP_ID)).containsOnly("g1", "g4");
    assertThat(kept).hasSize(7);
    assertThat(GroupAdvantage.apply(frame(), options).columns()).doesNotContain(GroupAdvantage.ZERO_VARIANCE);
  }

  @Test
  void optionsAreValidated() {
    assertThatThrownBy(() -> new GroupAdvantage.Options(Estimator.GRPO, 0, false, 0)).hasMessageContaining("epsilon");
    assertThatThrownBy(() -> new GroupAdvantage.Options(Estimator.GRPO, 1e-6, false, -1)).hasMessageContaining("group size");
    assertThatThrownBy(() -> Estimator.parse("ppo")).hasMessageContaining("grpo, dr_grpo, rloo, reinforce_pp");
    assertThat(Estimator.parse("dr_grpo")).isEqualTo(Estimator.DR_GRPO);
  }
}
