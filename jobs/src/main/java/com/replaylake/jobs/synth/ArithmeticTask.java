package com.replaylake.jobs.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replaylake.schemas.Errors;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The embedded synthetic task: multi-digit addition with a checkable answer, generated from a seed
 * (no download). Every number is written least-significant digit first: 123 + 456 is the prompt
 * {@code 321+654=} and its answer the sum 579, zero-padded to {@code digits + 1} digits and
 * reversed ({@code 0579 -> "9750"}). Little-endian digits let a small left-to-right decoder
 * compute carries in order, and make the digits each answer digit needs sit at fixed relative
 * offsets (which rotary position embeddings learn easily; with the operands written normally the
 * tiny policy sits on a plateau for thousands of SFT steps, docs/FINDINGS.md). The fixed length
 * makes every response {@code digits + 1} tokens plus the stop token with the byte tokenizer.
 *
 * <p>Three disjoint splits (no operand pair appears twice across them):
 * <ul>
 *   <li>{@code sft}: problems with a demonstration ({@code solution} = the answer), the few
 *       demonstrations of the warm start;
 *   <li>{@code train}: answer-only problems for RL;
 *   <li>{@code test}: held-out problems for pass@1.
 * </ul>
 * Difficulty knobs: {@code digits} per operand, and how many demonstrations SFT gets.
 */
public final class ArithmeticTask {
  public static final String DATASET = "arith";
  public static final List<String> SPLITS = List.of("sft", "train", "test");

  /**
   * @param digits digits per operand (1..9); operands have exactly this many digits
   * @param sftExamples demonstrations in split {@code sft}
   * @param trainPrompts answer-only RL prompts in split {@code train}
   * @param testPrompts held-out prompts in split {@code test}
   * @param seed generator seed
   */
  public record Options(int digits, int sftExamples, int trainPrompts, int testPrompts, long seed) {
    public Options {
      if (digits < 1 || digits > 9) {
        throw Errors.invalidOption("--digits", Integer.toString(digits), "must be in 1..9");
      }
      check("--sft-examples", sftExamples);
      check("--train-prompts", trainPrompts);
      check("--test-prompts", testPrompts);
      long lo = (long) Math.pow(10, digits - 1);
      long distinct = (10 * lo - lo) * (10 * lo - lo);
      if ((long) sftExamples + trainPrompts + testPrompts > distinct / 2) {
        throw Errors.invalidOption("--digits", Integer.toString(digits), "only " + distinct
            + " distinct problems exist; ask for at most half of them across the three splits");
      }
    }

    private static void check(String option, int value) {
      if (value < 1) {
        throw Errors.invalidOption(option, Integer.toString(value), "must be >= 1");
      }
    }
  }

  /** One problem. */
  public record Problem(String id, String split, long a, long b) {
    /** The operands least-significant digit first: 123 + 456 is written {@code 321+654=}. */
    public String prompt() {
      return reversed(a) + "+" + reversed(b) + "=";
    }

    public String answer(int digits) {
      return reversedSum(a, b, digits);
    }
  }

  private ArithmeticTask() {}

  static String reversed(long n) {
    return new StringBuilder(Long.toString(n)).reverse().toString();
  }

  /** The reversed, zero-padded sum: {@code reversedSum(123, 456, 3) = "9750"}. */
  public static String reversedSum(long a, long b, int digits) {
    String sum = Long.toString(a + b);
    StringBuilder padded = new StringBuilder();
    for (int i = sum.length(); i < digits + 1; i++) {
      padded.append('0');
    }
    padded.append(sum);
    return padded.reverse().toString();
  }

  /** All problems, split by split, deterministic in the options. */
  public static Map<String, List<Problem>> generate(Options o) {
    SplittableRandom random = new SplittableRandom(o.seed());
    long lo = (long) Math.pow(10, o.digits() - 1);
    long hi = 10 * lo;
    Set<Long> seen = new HashSet<>();
    Map<String, List<Problem>> out = new LinkedHashMap<>();
    int[] sizes = {o.sftExamples(), o.trainPrompts(), o.testPrompts()};
    for (int s = 0; s < SPLITS.size(); s++) {
      String split = SPLITS.get(s);
      List<Problem> problems = new ArrayList<>(sizes[s]);
      while (problems.size() < sizes[s]) {
        long a = random.nextLong(lo, hi);
        long b = random.nextLong(lo, hi);
        if (seen.add(a * hi + b)) {
          problems.add(new Problem(String.format("%s-%06d", split, problems.size()), split, a, b));
        }
      }
      out.put(split, problems);
    }
    return out;
  }

  /**
   * Writes one JSONL file with every split ({@code id, split, prompt, answer, solution, digits});
   * {@code solution} only on the {@code sft} split. Written to a temporary file and moved into
   * place, so a reader never sees half a file.
   */
  public static Path write(Options o, Path file) {
    ObjectMapper json = new ObjectMapper();
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        for (List<Problem> problems : generate(o).values()) {
          for (Problem p : problems) {
            ObjectNode n = json.createObjectNode();
            n.put("id", p.id());
            n.put("split", p.split());
            n.put("prompt", p.prompt());
            n.put("answer", p.answer(o.digits()));
            if ("sft".equals(p.split())) {
              n.put("solution", p.answer(o.digits()));
            }
            n.put("digits", o.digits());
            w.write(json.writeValueAsString(n));
            w.write('\n');
          }
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return file;
    } catch (IOException e) {
      throw Errors.unreadableFile(file.toString(), e);
    }
  }
}
