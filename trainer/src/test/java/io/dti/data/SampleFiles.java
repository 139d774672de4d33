package io.dti.data;

import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/** Writes samples as Parquet the way Spark lays them out (3-level lists), for trainer tests without Spark. */
public final class SampleFiles {
  private SampleFiles() {}

  static MessageType schema() {
    Types.MessageTypeBuilder b = Types.buildMessage();
    for (SampleSchema.Column c : SampleSchema.COLUMNS) {
      b.addField(field(c));
    }
    return b.named("spark_schema");
  }

  private static Type field(SampleSchema.Column c) {
    return switch (c.type()) {
      case INT -> Types.required(PrimitiveTypeName.INT32).named(c.name());
      case LONG -> Types.required(PrimitiveTypeName.INT64).named(c.name());
      case STRING -> Types.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named(c.name());
      case INT_ARRAY -> list(c.name(), Types.required(PrimitiveTypeName.INT32).named("element"));
      case LONG_ARRAY -> list(c.name(), Types.required(PrimitiveTypeName.INT64).named("element"));
      case STRING_ARRAY -> list(c.name(),
          Types.required(PrimitiveTypeName.BINARY).as(LogicalTypeAnnotation.stringType()).named("element"));
    };
  }

  private static Type list(String name, Type element) {
    return Types.buildGroup(Type.Repetition.REQUIRED).as(LogicalTypeAnnotation.listType())
        .addField(Types.repeatedGroup().addField(element).named("list")).named(name);
  }

  public static void write(String file, List<PackedSample> samples, int version) throws IOException {
    MessageType schema = schema();
    SimpleGroupFactory f = new SimpleGroupFactory(schema);
    try (ParquetWriter<Group> w = ExampleParquetWriter.builder(new Path(file)).withType(schema)
        .withWriteMode(org.apache.parquet.hadoop.ParquetFileWriter.Mode.OVERWRITE)
        .withConf(new Configuration()).build()) {
      for (PackedSample s : samples) {
        Group g = f.newGroup();
        g.append(SampleSchema.SCHEMA_VERSION, version).append(SampleSchema.PARADIGM, s.paradigm())
            .append(SampleSchema.SPLIT, s.split()).append(SampleSchema.USER_ID, s.userId())
            .append(SampleSchema.FIRST_TARGET_SEQ, s.firstTargetSeq()).append(SampleSchema.FIRST_TARGET_TS, s.firstTargetTs())
            .append(SampleSchema.WINDOW, s.window()).append(SampleSchema.NUM_TOKENS, s.numTokens())
            .append(SampleSchema.NUM_TARGETS, s.numTargets());
        ints(g, SampleSchema.INPUT_IDS, s.inputIds());
        ints(g, SampleSchema.INTERACTION_IDX, s.interactionIdx());
        ints(g, SampleSchema.ROLES, s.roles());
        ints(g, SampleSchema.POSITION_IDS, s.positionIds());
        ints(g, SampleSchema.SEGMENT_IDS, s.segmentIds());
        ints(g, SampleSchema.SUM_POSITIONS, s.sumPositions());
        ints(g, SampleSchema.LABELS, s.labels());
        strings(g, SampleSchema.TARGET_USERS, s.targetUsers());
        strings(g, SampleSchema.TARGET_ITEMS, s.targetItems());
        longs(g, SampleSchema.TARGET_SEQS, s.targetSeqs());
        longs(g, SampleSchema.TARGET_TS, s.targetTs());
        g.append(SampleSchema.ATTENTION_PAIRS, MaskRules.allowedPairs(s));
        w.write(g);
      }
    }
  }

  private static void strings(Group g, String field, String[] values) {
    Group l = g.addGroup(field);
    for (String v : values) {
      l.addGroup("list").append("element", v);
    }
  }

  private static void longs(Group g, String field, long[] values) {
    Group l = g.addGroup(field);
    for (long v : values) {
      l.addGroup("list").append("element", v);
    }
  }

  private static void ints(Group g, String field, int[] values) {
    Group l = g.addGroup(field);
    for (int v : values) {
      l.addGroup("list").append("element", v);
    }
  }
}
