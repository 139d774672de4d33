package io.dti.jobs.prepare;

import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import org.apache.spark.sql.types.StructType;

/** The canonical tables that {@code prepare} writes and the later jobs read. See docs/data-schema.md. */
public final class Canonical {
  private Canonical() {}

  public static final String INTERACTIONS = "interactions";
  public static final String ITEMS = "items";
  public static final String REJECTED = "rejected";

  public static final String USER_ID = "user_id";
  public static final String ITEM_ID = "item_id";
  public static final String TIMESTAMP = "timestamp";
  public static final String RATING = "rating";
  public static final String LABEL = "label";
  public static final String SPLIT = "split";
  public static final String TITLE = "title";
  public static final String CATEGORIES = "categories";
  public static final String FILE = "file";
  public static final String LINE = "line";
  public static final String REASON = "reason";
  public static final String RAW = "raw";

  public static final String TRAIN = "train";
  public static final String VALID = "valid";
  public static final String TEST = "test";

  /** user_id, item_id, timestamp (epoch seconds), rating (nullable), label (0/1), split. */
  public static final StructType INTERACTION_SCHEMA = new StructType()
      .add(USER_ID, StringType, false)
      .add(ITEM_ID, StringType, false)
      .add(TIMESTAMP, LongType, false)
      .add(RATING, DoubleType, true)
      .add(LABEL, IntegerType, false)
      .add(SPLIT, StringType, false);

  /** item_id, title, categories (space-separated words, may be empty). */
  public static final StructType ITEM_SCHEMA = new StructType()
      .add(ITEM_ID, StringType, false)
      .add(TITLE, StringType, false)
      .add(CATEGORIES, StringType, false);

  /** A rejected input row: where it was, why, and the raw text (cut to 1000 characters). */
  public static final StructType REJECT_SCHEMA = new StructType()
      .add(FILE, StringType, false)
      .add(LINE, LongType, false)
      .add(REASON, StringType, false)
      .add(RAW, StringType, true);
}
