package io.dti.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dti.data.SampleBuilder.Interaction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleReaderTest {
  @TempDir Path dir;

  static List<PackedSample> samples(int count) {
    List<PackedSample> out = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      List<Interaction> h = List.of(new Interaction("u" + s, "a", 0, 10, 1, new int[] {7, 8}),
          new Interaction("u" + s, "b", 1, 20, s % 2, new int[] {9}), new Interaction("u" + s, "c", 2, 30, 0, new int[] {10}));
      out.add(SampleBuilder.build("dti", "train", 1, h.subList(0, 1), h.subList(1, 3)));
    }
    return out;
  }

  SampleReader reader() {
    return new SampleReader(new Configuration(), 20);
  }

  @Test
  void readsBackWhatWasWrittenAndShards() throws Exception {
    List<PackedSample> in = samples(5);
    SampleFiles.write(dir.resolve("part-0.parquet").toString(), in, SampleSchema.VERSION);
    List<PackedSample> all = reader().read(dir.toString(), 0, 1);
    assertEquals(5, all.size());
    for (int i = 0; i < 5; i++) {
      assertArrayEquals(in.get(i).inputIds(), all.get(i).inputIds());
      assertArrayEquals(in.get(i).positionIds(), all.get(i).positionIds());
      assertArrayEquals(in.get(i).targetItems(), all.get(i).targetItems());
    }
    List<PackedSample> r0 = reader().read(dir.toString(), 0, 2);
    List<PackedSample> r1 = reader().read(dir.toString(), 1, 2);
    assertEquals(List.of("u0", "u2", "u4"), r0.stream().map(PackedSample::userId).toList());
    assertEquals(List.of("u1", "u3"), r1.stream().map(PackedSample::userId).toList());
  }

  void expectFailure(UnaryOperator<PackedSample> breakIt, int version, int row, String message) throws Exception {
    List<PackedSample> in = new ArrayList<>(samples(3));
    in.set(1, breakIt.apply(in.get(1)));
    String file = dir.resolve("bad.parquet").toString();
    SampleFiles.write(file, in, version);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> reader().read(file, 0, 1));
    assertTrue(e.getMessage().contains("bad.parquet row " + row + ": ") && e.getMessage().contains(message), e.getMessage());
  }

  static PackedSample with(PackedSample s, int[] ids, int[] roles, int[] sums, int[] labels) {
    return new PackedSample(s.paradigm(), s.split(), s.userId(), s.firstTargetSeq(), s.firstTargetTs(), s.window(),
        ids, s.interactionIdx(), roles, s.positionIds(), s.segmentIds(), sums, labels, s.targetUsers(), s.targetItems(),
        s.targetSeqs(), s.targetTs());
  }

  @Test
  void malformedSamplesNameFileRowAndField() throws Exception {
    expectFailure(s -> s, 99, 1, "schema_version 99 is not supported");
    expectFailure(s -> {
      int[] labels = s.labels().clone();
      labels[0] = 3;
      return with(s, s.inputIds(), s.roles(), s.sumPositions(), labels);
    }, SampleSchema.VERSION, 2, "labels[0] = 3 is not 0 or 1");
    expectFailure(s -> {
      int[] ids = s.inputIds().clone();
      ids[1] = 500;
      return with(s, ids, s.roles(), s.sumPositions(), s.labels());
    }, SampleSchema.VERSION, 2, "input_ids[1] = 500 is outside the vocabulary of size 20");
    expectFailure(s -> {
      int[] sums = s.sumPositions().clone();
      sums[0] = 1; // a text token, not a [SUM]
      return with(s, s.inputIds(), s.roles(), sums, s.labels());
    }, SampleSchema.VERSION, 2, "sum_positions[0] = 1 is not a [SUM] token");
  }
}
