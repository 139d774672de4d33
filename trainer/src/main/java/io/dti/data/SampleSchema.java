package io.dti.data;

import java.util.List;

/**
 * The Parquet columns of packed samples: the one contract between the Spark packer (writer)
 * and the trainer (reader). SW prompts and DTI streams share it; a SW prompt is a sample
 * with one target. Masks are never stored: the trainer derives them from
 * {@code interaction_idx}, {@code roles} and {@code segment_ids} (see {@link MaskRules}).
 *
 * <p>Bump {@link #VERSION} on any incompatible change; readers refuse versions they do not know.
 */
public final class SampleSchema {
  private SampleSchema() {}

  public static final int VERSION = 1;

  /** Written last into every complete job output (pack, prepare, ...); readers require it. */
  public static final String COMMIT_MARKER = "_DTI_SUCCESS";

  public enum Type { INT, LONG, STRING, INT_ARRAY, LONG_ARRAY, STRING_ARRAY }

  public record Column(String name, Type type, String doc) {}

  public static final String SCHEMA_VERSION = "schema_version";
  public static final String PARADIGM = "paradigm";
  public static final String SPLIT = "split";
  public static final String USER_ID = "user_id";
  public static final String FIRST_TARGET_SEQ = "first_target_seq";
  public static final String FIRST_TARGET_TS = "first_target_ts";
  public static final String WINDOW = "window";
  public static final String NUM_TOKENS = "num_tokens";
  public static final String NUM_TARGETS = "num_targets";
  public static final String INPUT_IDS = "input_ids";
  public static final String INTERACTION_IDX = "interaction_idx";
  public static final String ROLES = "roles";
  public static final String POSITION_IDS = "position_ids";
  public static final String SEGMENT_IDS = "segment_ids";
  public static final String SUM_POSITIONS = "sum_positions";
  public static final String LABELS = "labels";
  public static final String TARGET_USERS = "target_users";
  public static final String TARGET_ITEMS = "target_items";
  public static final String TARGET_SEQS = "target_seqs";
  public static final String TARGET_TS = "target_ts";
  public static final String ATTENTION_PAIRS = "attention_pairs";

  public static final String PARADIGM_SW = "sw";
  public static final String PARADIGM_DTI = "dti";

  public static final List<Column> COLUMNS = List.of(
      new Column(SCHEMA_VERSION, Type.INT, "version of this schema; readers refuse unknown versions"),
      new Column(PARADIGM, Type.STRING, "`sw` (one target per row) or `dti` (k targets per row)"),
      new Column(SPLIT, Type.STRING, "split of the row's targets: train, valid or test"),
      new Column(USER_ID, Type.STRING, "user of the first segment (sample id, with first_target_seq)"),
      new Column(FIRST_TARGET_SEQ, Type.LONG, "0-based position of the first target in its user's time-ordered history"),
      new Column(FIRST_TARGET_TS, Type.LONG, "timestamp (epoch seconds) of the first target"),
      new Column(WINDOW, Type.INT, "n: how many preceding interactions each target may read"),
      new Column(NUM_TOKENS, Type.INT, "length of the token arrays"),
      new Column(NUM_TARGETS, Type.INT, "length of the per-target arrays"),
      new Column(INPUT_IDS, Type.INT_ARRAY, "token ids (tokenizer.json vocabulary); no padding stored"),
      new Column(INTERACTION_IDX, Type.INT_ARRAY, "per token: interaction index within its segment, -1 for [BOS]"),
      new Column(ROLES, Type.INT_ARRAY, "per token: 0 bos, 1 text, 2 sum, 3 label (TokenRole)"),
      new Column(POSITION_IDS, Type.INT_ARRAY, "per token: position id, restarting at 0 per segment; a [SUM] and the label after it share the id that follows the text"),
      new Column(SEGMENT_IDS, Type.INT_ARRAY, "per token: segment (packed user stream) index, 0-based"),
      new Column(SUM_POSITIONS, Type.INT_ARRAY, "per target: token index of its [SUM]"),
      new Column(LABELS, Type.INT_ARRAY, "per target: label, 0 or 1"),
      new Column(TARGET_USERS, Type.STRING_ARRAY, "per target: user id"),
      new Column(TARGET_ITEMS, Type.STRING_ARRAY, "per target: item id"),
      new Column(TARGET_SEQS, Type.LONG_ARRAY, "per target: position in its user's history"),
      new Column(TARGET_TS, Type.LONG_ARRAY, "per target: timestamp, epoch seconds"),
      new Column(ATTENTION_PAIRS, Type.LONG, "allowed (query, key) pairs under the mask: the work of banded attention, for cost-aware batching and summaries"));

  public static Column column(String name) {
    return COLUMNS.stream().filter(c -> c.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no sample column " + name));
  }
}
