package com.replaylake.udfs.verify;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.replaylake.schemas.Errors;
import com.replaylake.schemas.ReplayLakeException;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Writer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Verifies a JSON Lines file: each line is an object with a response field and a gold field; the
 * output repeats each object with {@code reward}, {@code status} and {@code extracted} added
 * (replacing fields of those names). Blank lines are skipped. The output is written to a temporary
 * file and moved into place only when the whole input verified, so bad input never leaves a
 * partial output behind.
 */
public final class JsonlVerifier {
  /**
   * What to verify.
   *
   * @param input the JSONL file to read
   * @param output where to write the annotated records; null writes them to the stream passed to
   *     {@link #run(Options, Writer)}
   * @param responseField name of the response field; default {@value #DEFAULT_RESPONSE_FIELD}
   * @param goldField name of the gold-answer field; default {@value #DEFAULT_GOLD_FIELD}
   * @param config verifier settings (mode, budget)
   */
  public record Options(
      Path input, Path output, String responseField, String goldField, VerifierConfig config) {
    public static final String DEFAULT_RESPONSE_FIELD = "response";
    public static final String DEFAULT_GOLD_FIELD = "gold";

    public Options {
      Objects.requireNonNull(input, "input");
      Objects.requireNonNull(config, "config");
      if (responseField == null || responseField.isEmpty()) {
        throw new IllegalArgumentException("Cannot verify: the response field name is empty");
      }
      if (goldField == null || goldField.isEmpty()) {
        throw new IllegalArgumentException("Cannot verify: the gold field name is empty");
      }
    }

    public static Options of(Path input, Path output, VerifyMode mode) {
      return new Options(input, output, DEFAULT_RESPONSE_FIELD, DEFAULT_GOLD_FIELD,
          VerifierConfig.of(mode));
    }
  }

  /**
   * Counts per status of one run.
   *
   * @param records records verified
   * @param counts records per status (every status present, possibly 0)
   * @param rewardSum sum of rewards over records that have one
   * @param seconds wall time of the run
   */
  public record Summary(long records, Map<VerifyStatus, Long> counts, double rewardSum,
      double seconds) {
    public long count(VerifyStatus status) {
      return counts.getOrDefault(status, 0L);
    }

    /** Records that carry a reward (correct, incorrect, no_answer). */
    public long rewarded() {
      return count(VerifyStatus.CORRECT) + count(VerifyStatus.INCORRECT)
          + count(VerifyStatus.NO_ANSWER);
    }

    /** Mean reward over rewarded records (NaN when there are none). */
    public double meanReward() {
      return rewarded() == 0 ? Double.NaN : rewardSum / rewarded();
    }

    /** A human-readable report, one status per line. */
    public String render(Path input, VerifyMode mode) {
      StringBuilder b = new StringBuilder();
      b.append(String.format(Locale.ROOT, "verified %d records from %s (mode %s) in %.2f s%n",
          records, input, mode.label(), seconds));
      for (VerifyStatus s : VerifyStatus.values()) {
        b.append(String.format(Locale.ROOT, "  %-13s %8d%n", s.label(), count(s)));
      }
      b.append(String.format(Locale.ROOT, "  mean reward %.4f over %d rewarded records%n",
          meanReward(), rewarded()));
      return b.toString();
    }
  }

  private final ObjectMapper mapper = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private JsonlVerifier() {}

  /**
   * Runs a verification. When {@code options.output()} is null the records go to {@code stdout}
   * after the whole input verified.
   *
   * @throws ReplayLakeException on bad input ({@code BAD_INPUT}: file, line and column in the
   *     message and parameters) or an unreadable input file; nothing is written then
   * @throws IOException when the output cannot be written
   */
  public static Summary run(Options options, Writer stdout)
      throws IOException {
    return new JsonlVerifier().verify(options, stdout);
  }

  private Summary verify(Options o, Writer stdout) throws IOException {
    long t0 = System.nanoTime();
    if (!Files.isRegularFile(o.input())) {
      throw Errors.unreadableFile(o.input().toString(),
          new java.io.FileNotFoundException("no such file"));
    }
    Path dir = o.output() == null ? null : o.output().toAbsolutePath().getParent();
    if (dir != null) {
      Files.createDirectories(dir);
    }
    Path tmp = dir == null
        ? Files.createTempFile("replaylake-verify-", ".jsonl")
        : Files.createTempFile(dir, "." + o.output().getFileName() + ".", ".tmp");
    boolean done = false;
    try {
      Summary summary = verifyInto(o, tmp, t0);
      if (o.output() == null) {
        try (BufferedReader records = Files.newBufferedReader(tmp, StandardCharsets.UTF_8)) {
          records.transferTo(stdout);
        }
        stdout.flush();
      } else {
        try {
          Files.move(tmp, o.output(), StandardCopyOption.REPLACE_EXISTING,
              StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, o.output(), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      done = true;
      return summary;
    } finally {
      if (!done || o.output() == null) {
        Files.deleteIfExists(tmp);
      }
    }
  }

  private Summary verifyInto(Options o, Path tmp, long t0)
      throws IOException {
    MathAnswerVerifier verifier = new MathAnswerVerifier(o.config());
    Map<VerifyStatus, Long> counts = new EnumMap<>(VerifyStatus.class);
    for (VerifyStatus s : VerifyStatus.values()) {
      counts.put(s, 0L);
    }
    long records = 0;
    double rewardSum = 0;
    var decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    try (InputStream in = Files.newInputStream(o.input());
        BufferedReader reader = new BufferedReader(new java.io.InputStreamReader(in, decoder));
        BufferedWriter writer = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      long lineNo = 0;
      while (true) {
        String line;
        try {
          line = reader.readLine();
        } catch (CharacterCodingException e) {
          throw badInput(o.input(), lineNo + 1, 1, "the file is not valid UTF-8");
        }
        if (line == null) {
          break;
        }
        lineNo++;
        if (lineNo == 1 && line.startsWith("\ufeff")) {
          line = line.substring(1);
        }
        if (line.isBlank()) {
          continue;
        }
        ObjectNode record = parseObject(o.input(), lineNo, line);
        String response = textField(o.input(), lineNo, line, record, o.responseField());
        String gold = textField(o.input(), lineNo, line, record, o.goldField());
        VerifyResult r = verifier.verify(response, gold);
        if (r.reward() == null) {
          record.putNull("reward");
        } else {
          record.put("reward", r.reward());
          rewardSum += r.reward();
        }
        record.put("status", r.status().label());
        if (r.extracted() == null) {
          record.putNull("extracted");
        } else {
          record.put("extracted", r.extracted());
        }
        writer.write(mapper.writeValueAsString(record));
        writer.write('\n');
        counts.merge(r.status(), 1L, Long::sum);
        records++;
      }
    }
    return new Summary(records, counts, rewardSum, (System.nanoTime() - t0) / 1e9);
  }

  private static ReplayLakeException badInput(Path file, long line, long column, String reason) {
    return Errors.badInput(file.toString(), line, (int) Math.min(Integer.MAX_VALUE, column), reason);
  }

  private ObjectNode parseObject(Path file, long lineNo, String line) {
    JsonNode node;
    try {
      node = mapper.readTree(line);
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      long column = loc == null || loc.getColumnNr() < 1 ? 1 : loc.getColumnNr();
      throw badInput(file, lineNo, column, "invalid JSON: " + e.getOriginalMessage());
    }
    if (!(node instanceof ObjectNode obj)) {
      throw badInput(file, lineNo, firstNonBlank(line),
          "expected a JSON object, found " + node.getNodeType().name().toLowerCase(Locale.ROOT));
    }
    return obj;
  }

  private String textField(Path file, long lineNo, String line, ObjectNode record, String field)
      {
    JsonNode v = record.get(field);
    if (v == null) {
      throw badInput(file, lineNo, firstNonBlank(line),
          "the object has no field '" + field + "' (choose one with --response-field/--gold-field;"
              + " fields present: " + fieldNames(record) + ")");
    }
    if (v.isNull()) {
      return null;
    }
    if (v.isTextual()) {
      return v.textValue();
    }
    if (v.isNumber()) {
      return v.isBigDecimal() || v.isDouble() || v.isFloat()
          ? v.decimalValue().toPlainString() : v.asText();
    }
    throw badInput(file, lineNo, valueColumn(line, field),
        "field '" + field + "' must be a string, number or null, found "
            + v.getNodeType().name().toLowerCase(Locale.ROOT));
  }

  private static String fieldNames(ObjectNode record) {
    StringBuilder b = new StringBuilder();
    record.fieldNames().forEachRemaining(n -> b.append(b.length() == 0 ? "" : ", ").append(n));
    return b.length() == 0 ? "none" : b.toString();
  }

  private static long firstNonBlank(String line) {
    for (int i = 0; i < line.length(); i++) {
      if (!Character.isWhitespace(line.charAt(i))) {
        return i + 1;
      }
    }
    return 1;
  }

  /** Column of the value of a top-level field, found by re-reading the line's tokens. */
  private long valueColumn(String line, String field) {
    try (JsonParser p = mapper.getFactory().createParser(line)) {
      int depth = 0;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
          depth++;
        } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
          depth--;
        } else if (t == JsonToken.FIELD_NAME && depth == 1 && field.equals(p.currentName())) {
          p.nextToken();
          return p.currentTokenLocation().getColumnNr();
        }
      }
    } catch (IOException e) {
      // fall through: the line parsed before, so this is unexpected; report the object start
    }
    return firstNonBlank(line);
  }
}
