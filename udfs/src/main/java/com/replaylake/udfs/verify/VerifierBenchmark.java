package com.replaylake.udfs.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Single-threaded throughput of {@link MathAnswerVerifier} (checks per second on one core) on
 * GSM8K and MATH-500 gold/response pairs. Not a test: run it by hand and record the numbers.
 *
 * <pre>
 * java -cp udfs/target/classes:$(jackson jars) com.replaylake.udfs.verify.VerifierBenchmark \
 *     --gsm8k gsm8k_test.jsonl --math500 math500_test.jsonl [--seconds 5]
 * </pre>
 *
 * <p>Workloads (half correct, half incorrect pairs):
 *
 * <ul>
 *   <li>numeric/gsm8k: the reference solution (ends in {@code #### N}) against gold N, and
 *       against the next problem's gold;
 *   <li>numeric/math500: MATH-500 problems whose gold is an exact real number, the reference
 *       solution (with {@code \boxed{}}) against its gold and the next numeric gold;
 *   <li>symbolic/math500: the other MATH-500 problems (expressions with variables, radicals, π,
 *       tuples, intervals, sets, matrices, text), a re-spelled boxed answer and the reference
 *       solution against the gold, and against the next symbolic gold;
 *   <li>rewritten/math500: the scalar symbolic golds G answered as {@code \frac{2(G)}{2}}, an
 *       equivalent form that defeats the canonical-spelling shortcut and forces the full
 *       comparison (sampling at up to 12 points), against G and the next symbolic gold;
 * </ul>
 *
 * <p>each with the gold cache on (the pipeline's case: a group of samples shares its gold) and
 * off (every gold parsed per check).
 */
public final class VerifierBenchmark {
  private record Pair(String response, String gold) {}

  private VerifierBenchmark() {}

  public static void main(String[] args) throws IOException {
    Path gsm = null;
    Path math = null;
    double seconds = 5;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--gsm8k" -> gsm = Path.of(args[++i]);
        case "--math500" -> math = Path.of(args[++i]);
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        default -> throw new IllegalArgumentException("Cannot run benchmark: unknown argument "
            + args[i] + " (use --gsm8k FILE --math500 FILE [--seconds S])");
      }
    }
    if (gsm == null || math == null) {
      throw new IllegalArgumentException("Cannot run benchmark: --gsm8k and --math500 are required");
    }
    List<Pair> gsmPairs = gsm8kPairs(read(gsm));
    List<Pair> numeric = new ArrayList<>();
    List<Pair> symbolic = new ArrayList<>();
    List<Pair> rewritten = new ArrayList<>();
    math500Pairs(read(math), numeric, symbolic, rewritten);
    System.out.printf(Locale.ROOT,
        "pairs: gsm8k %d, math500 numeric %d, math500 symbolic %d, math500 rewritten %d%n",
        gsmPairs.size(), numeric.size(), symbolic.size(), rewritten.size());
    System.out.printf(Locale.ROOT, "java %s, %s, %d available processors%n",
        System.getProperty("java.version"), System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors());
    Map<String, List<Pair>> workloads = new java.util.LinkedHashMap<>();
    workloads.put("numeric/gsm8k", gsmPairs);
    workloads.put("numeric/math500", numeric);
    workloads.put("symbolic/math500", symbolic);
    workloads.put("rewritten/math500", rewritten);
    // Warm up every code path first, so no workload is measured while the JIT still compiles.
    for (int round = 0; round < 2; round++) {
      for (boolean cache : new boolean[] {true, false}) {
        for (List<Pair> pairs : workloads.values()) {
          measure(verifier(cache), pairs, seconds / 2);
        }
      }
    }
    System.out.println("median of 3 runs of " + seconds + " s each, one thread:");
    for (boolean cache : new boolean[] {true, false}) {
      for (Map.Entry<String, List<Pair>> w : workloads.entrySet()) {
        run(w.getKey(), w.getValue(), cache, seconds);
      }
    }
  }

  private static MathAnswerVerifier verifier(boolean cache) {
    return new MathAnswerVerifier(VerifierConfig.defaults()
        .withGoldCacheSize(cache ? VerifierConfig.DEFAULT_GOLD_CACHE_SIZE : 0));
  }

  private static void run(String name, List<Pair> pairs, boolean cache, double seconds) {
    MathAnswerVerifier v = verifier(cache);
    GoldCache.SHARED.clear();
    double[] rates = new double[3];
    Map<VerifyStatus, Long> counts = new EnumMap<>(VerifyStatus.class);
    for (int i = 0; i < rates.length; i++) {
      counts.clear();
      long t0 = System.nanoTime();
      long checks = measure(v, pairs, seconds, counts);
      rates[i] = checks / ((System.nanoTime() - t0) / 1e9);
    }
    java.util.Arrays.sort(rates);
    System.out.printf(Locale.ROOT,
        "%-17s cache=%-5s %,10.0f checks/s (min %,.0f, max %,.0f; statuses of the last run %s)%n",
        name, cache, rates[1], rates[0], rates[2], counts);
  }

  private static long measure(MathAnswerVerifier v, List<Pair> pairs, double seconds) {
    return measure(v, pairs, seconds, new EnumMap<>(VerifyStatus.class));
  }

  private static long measure(
      MathAnswerVerifier v, List<Pair> pairs, double seconds, Map<VerifyStatus, Long> counts) {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long checks = 0;
    while (System.nanoTime() < end) {
      for (Pair p : pairs) {
        counts.merge(v.verify(p.response(), p.gold()).status(), 1L, Long::sum);
      }
      checks += pairs.size();
    }
    return checks;
  }

  private static List<Pair> gsm8kPairs(List<JsonNode> rows) {
    List<Pair> out = new ArrayList<>();
    for (int i = 0; i < rows.size(); i++) {
      String solution = rows.get(i).get("answer").asText();
      String next = rows.get((i + 1) % rows.size()).get("answer").asText();
      String gold = solution.substring(solution.lastIndexOf("####") + 4).trim();
      String nextGold = next.substring(next.lastIndexOf("####") + 4).trim();
      out.add(new Pair(solution, gold));
      out.add(new Pair(solution, nextGold.equals(gold) ? gold + "1" : nextGold));
    }
    return out;
  }

  private static void math500Pairs(
      List<JsonNode> rows, List<Pair> numeric, List<Pair> symbolic, List<Pair> rewritten) {
    List<String[]> num = new ArrayList<>();
    List<String[]> sym = new ArrayList<>();
    for (JsonNode r : rows) {
      String gold = r.get("answer").asText();
      String[] item = {gold, r.get("solution").asText()};
      (isNumeric(gold) ? num : sym).add(item);
    }
    for (int i = 0; i < num.size(); i++) {
      String[] p = num.get(i);
      numeric.add(new Pair(p[1], p[0]));
      numeric.add(new Pair(p[1], num.get((i + 1) % num.size())[0]));
    }
    for (int i = 0; i < sym.size(); i++) {
      String[] p = sym.get(i);
      String respelled = "Therefore the answer is $\\boxed{" + respell(p[0]) + "}$.";
      symbolic.add(new Pair(respelled, p[0]));
      symbolic.add(new Pair(p[1], p[0]));
      symbolic.add(new Pair(respelled, sym.get((i + 1) % sym.size())[0]));
      symbolic.add(new Pair(p[1], sym.get((i + 2) % sym.size())[0]));
      if (isScalar(p[0])) {
        // An equivalent rewriting that no spelling rule can match: forces the full comparison
        // (exact evaluation, or sampling for expressions with variables or irrational values).
        String forced = "\\boxed{\\frac{2\\left(" + p[0] + "\\right)}{2}}";
        rewritten.add(new Pair(forced, p[0]));
        rewritten.add(new Pair(forced, sym.get((i + 1) % sym.size())[0]));
      }
    }
  }

  /** Whether a gold is a plain exact real number (the numeric workload). */
  static boolean isNumeric(String gold) {
    AnswerParser.Parsed p = AnswerParser.parse(gold, Budget.unlimited());
    if (!(p.answer() instanceof Answer.Scalar s)) {
      return false;
    }
    java.util.Set<String> vars = new java.util.TreeSet<>();
    s.expr().collectVariables(vars);
    Exact e = vars.isEmpty() ? s.expr().exact(null, Budget.unlimited()) : null;
    return e != null && e.isReal();
  }

  private static boolean isScalar(String gold) {
    return AnswerParser.parse(gold, Budget.unlimited()).answer() instanceof Answer.Scalar;
  }

  /** Another spelling: \frac↔\dfrac, \left/\right brackets, spaces around operators. */
  private static String respell(String s) {
    String t = s.replace("\\dfrac", "\u0000").replace("\\frac", "\\dfrac").replace("\u0000", "\\frac");
    t = t.replace("+", " + ").replace(",", ", ");
    if (t.startsWith("(") && t.endsWith(")")) {
      t = "\\left" + t.substring(0, t.length() - 1) + "\\right)";
    }
    return t;
  }

  private static List<JsonNode> read(Path file) throws IOException {
    ObjectMapper mapper = new ObjectMapper();
    List<JsonNode> out = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) {
          out.add(mapper.readTree(line));
        }
      }
    }
    return out;
  }
}
