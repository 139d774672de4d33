package io.dti.jobs.pack;

import io.dti.data.MaskRules;
import io.dti.data.PackedSample;
import io.dti.data.SampleSchema;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** {@link SampleSchema} as a Spark schema, and conversions between {@link PackedSample} and Row. */
public final class SampleRows {
  private SampleRows() {}

  /** The sample schema, column for column, as Spark types (arrays hold no nulls). */
  public static final StructType SCHEMA = toStruct();

  private static StructType toStruct() {
    StructType s = new StructType();
    for (SampleSchema.Column c : SampleSchema.COLUMNS) {
      s = s.add(c.name(), sparkType(c.type()), false);
    }
    return s;
  }

  private static DataType sparkType(SampleSchema.Type t) {
    return switch (t) {
      case INT -> DataTypes.IntegerType;
      case LONG -> DataTypes.LongType;
      case STRING -> DataTypes.StringType;
      case INT_ARRAY -> DataTypes.createArrayType(DataTypes.IntegerType, false);
      case LONG_ARRAY -> DataTypes.createArrayType(DataTypes.LongType, false);
      case STRING_ARRAY -> DataTypes.createArrayType(DataTypes.StringType, false);
    };
  }

  static Row toRow(PackedSample s) {
    return RowFactory.create(SampleSchema.VERSION, s.paradigm(), s.split(), s.userId(), s.firstTargetSeq(),
        s.firstTargetTs(), s.window(), s.numTokens(), s.numTargets(), s.inputIds(), s.interactionIdx(),
        s.roles(), s.positionIds(), s.segmentIds(), s.sumPositions(), s.labels(), s.targetUsers(),
        s.targetItems(), s.targetSeqs(), s.targetTs(), MaskRules.allowedPairs(s));
  }

  /** Reads a sample back from a row of {@link #SCHEMA} (by column name). */
  public static PackedSample fromRow(Row r) {
    return new PackedSample(
        r.getAs(SampleSchema.PARADIGM), r.getAs(SampleSchema.SPLIT), r.getAs(SampleSchema.USER_ID),
        r.<Long>getAs(SampleSchema.FIRST_TARGET_SEQ), r.<Long>getAs(SampleSchema.FIRST_TARGET_TS),
        r.<Integer>getAs(SampleSchema.WINDOW),
        ints(r, SampleSchema.INPUT_IDS), ints(r, SampleSchema.INTERACTION_IDX), ints(r, SampleSchema.ROLES),
        ints(r, SampleSchema.POSITION_IDS), ints(r, SampleSchema.SEGMENT_IDS), ints(r, SampleSchema.SUM_POSITIONS),
        ints(r, SampleSchema.LABELS), strings(r, SampleSchema.TARGET_USERS), strings(r, SampleSchema.TARGET_ITEMS),
        longs(r, SampleSchema.TARGET_SEQS), longs(r, SampleSchema.TARGET_TS));
  }

  private static int[] ints(Row r, String col) {
    List<Integer> l = r.getList(r.fieldIndex(col));
    return l.stream().mapToInt(Integer::intValue).toArray();
  }

  private static long[] longs(Row r, String col) {
    List<Long> l = r.getList(r.fieldIndex(col));
    return l.stream().mapToLong(Long::longValue).toArray();
  }

  private static String[] strings(Row r, String col) {
    List<String> l = r.getList(r.fieldIndex(col));
    return l.toArray(new String[0]);
  }
}
