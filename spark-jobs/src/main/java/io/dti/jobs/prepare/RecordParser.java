package io.dti.jobs.prepare;

import static io.dti.jobs.prepare.Canonical.FILE;
import static io.dti.jobs.prepare.Canonical.ITEM_ID;
import static io.dti.jobs.prepare.Canonical.LABEL;
import static io.dti.jobs.prepare.Canonical.LINE;
import static io.dti.jobs.prepare.Canonical.RATING;
import static io.dti.jobs.prepare.Canonical.RAW;
import static io.dti.jobs.prepare.Canonical.REASON;
import static io.dti.jobs.prepare.Canonical.TIMESTAMP;
import static io.dti.jobs.prepare.Canonical.USER_ID;
import static org.apache.spark.sql.types.DataTypes.BooleanType;
import static org.apache.spark.sql.types.DataTypes.DoubleType;
import static org.apache.spark.sql.types.DataTypes.IntegerType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import java.io.Serializable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;

/**
 * Types and checks the fields a format pulled out of a line. Every outcome is a row: either a
 * usable record ({@code reason} null) or a reject with the reason, file, line and raw text.
 */
final class RecordParser implements Serializable {
  static final String IMPLICIT = "implicit";

  /** Parsed interactions; {@code implicit} marks ratings the format calls implicit. */
  static final StructType PARSED_INTERACTION = new StructType()
      .add(USER_ID, StringType).add(ITEM_ID, StringType).add(TIMESTAMP, LongType)
      .add(RATING, DoubleType).add(LABEL, IntegerType).add(IMPLICIT, BooleanType)
      .add(FILE, StringType).add(LINE, LongType).add(REASON, StringType).add(RAW, StringType);

  static final StructType PARSED_ITEM = new StructType()
      .add(ITEM_ID, StringType).add(Canonical.TITLE, StringType).add(Canonical.CATEGORIES, StringType)
      .add(FILE, StringType).add(LINE, LongType).add(REASON, StringType).add(RAW, StringType);

  private final InputFormat format;
  private final double threshold;

  RecordParser(InputFormat format, double threshold) {
    this.format = format;
    this.threshold = threshold;
  }

  private static String raw(String text) {
    return text.length() > 1000 ? text.substring(0, 1000) : text;
  }

  Row interaction(Row line) {
    String file = line.getString(0);
    long lineNo = line.getLong(1);
    String text = line.getString(2);
    try {
      String[] f = format.interaction(text, lineNo);
      String user = f[0].trim();
      String item = f[1].trim();
      if (user.isEmpty()) {
        throw new Reject("missing user id");
      }
      if (item.isEmpty()) {
        throw new Reject("missing item id");
      }
      Double rating = f[2].isBlank() ? null : parseRating(f[2]);
      long ts = parseTimestamp(f[3]);
      int label;
      if (!f[4].isBlank()) {
        label = parseLabel(f[4]);
      } else if (rating != null) {
        label = rating >= threshold ? 1 : 0;
      } else {
        throw new Reject("no rating and no label");
      }
      boolean implicit = rating != null && format.isImplicit(rating);
      return RowFactory.create(user, item, ts, rating, label, implicit, file, lineNo, null, null);
    } catch (Reject r) {
      return RowFactory.create(null, null, null, null, null, null, file, lineNo, r.getMessage(), raw(text));
    }
  }

  Row item(Row line) {
    String file = line.getString(0);
    long lineNo = line.getLong(1);
    String text = line.getString(2);
    try {
      String[] f = format.item(text);
      String id = f[0].trim();
      if (id.isEmpty()) {
        throw new Reject("missing item id");
      }
      return RowFactory.create(id, f[1].trim(), f[2].trim(), file, lineNo, null, null);
    } catch (Reject r) {
      return RowFactory.create(null, null, null, file, lineNo, r.getMessage(), raw(text));
    }
  }

  private static double parseRating(String s) throws Reject {
    try {
      double v = Double.parseDouble(s.trim());
      if (Double.isNaN(v) || Double.isInfinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new Reject("unparsable rating '" + s + "'");
    }
  }

  private static long parseTimestamp(String s) throws Reject {
    if (s.isBlank()) {
      throw new Reject("missing timestamp");
    }
    try {
      long v = Long.parseLong(s.trim());
      if (v < 0) {
        throw new Reject("negative timestamp '" + s + "'");
      }
      return v;
    } catch (NumberFormatException e) {
      throw new Reject("unparsable timestamp '" + s + "'");
    }
  }

  private static int parseLabel(String s) throws Reject {
    return switch (s.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "1", "true", "yes" -> 1;
      case "0", "false", "no" -> 0;
      default -> throw new Reject("unparsable label '" + s + "' (expected 0/1, true/false, yes/no)");
    };
  }
}
