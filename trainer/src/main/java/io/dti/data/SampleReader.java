package io.dti.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.example.GroupReadSupport;

/**
 * Reads packed samples ({@link SampleSchema}) with parquet-hadoop through the Hadoop
 * FileSystem API, so local paths, {@code hdfs://} and {@code s3a://} share one code path.
 * Sharded by (rank, world size): rank r keeps rows r, r + w, r + 2w, ... of the directory's
 * files in name order. Every sample is validated; a bad one fails with file, row and field.
 */
public final class SampleReader {
  private final Configuration hadoop;
  private final int vocabSize;

  public SampleReader(Configuration hadoop, int vocabSize) {
    this.hadoop = hadoop;
    this.vocabSize = vocabSize;
  }

  /** All samples of one shard of a directory (or file), in file and row order. */
  public List<PackedSample> read(String dir, int rank, int worldSize) {
    List<PackedSample> out = new ArrayList<>();
    forEach(dir, rank, worldSize, out::add);
    return out;
  }

  public void forEach(String dir, int rank, int worldSize, Consumer<PackedSample> sink) {
    if (rank < 0 || rank >= worldSize) {
      throw new IllegalArgumentException("rank " + rank + " outside world of " + worldSize);
    }
    scan(dir, worldSize, shard -> shard == rank ? sink : null);
  }

  /** Several shards of {@code count} in one pass over the files: shard s = rows s, s + count, ... */
  public java.util.SortedMap<Integer, List<PackedSample>> readShards(String dir, java.util.Collection<Integer> shards, int count) {
    java.util.SortedMap<Integer, List<PackedSample>> out = new java.util.TreeMap<>();
    for (int s : shards) {
      if (s < 0 || s >= count) {
        throw new IllegalArgumentException("shard " + s + " outside " + count + " shards");
      }
      out.put(s, new ArrayList<>());
    }
    scan(dir, count, shard -> {
      List<PackedSample> l = out.get(shard);
      return l == null ? null : l::add;
    });
    return out;
  }

  /** Decodes and validates the rows whose shard (global row index mod count) has a sink; skips the rest undecoded. */
  private void scan(String dir, int count, java.util.function.IntFunction<Consumer<PackedSample>> sinkOfShard) {
    long global = 0;
    for (Path file : files(dir)) {
      long row = 0;
      try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(hadoop).build()) {
        Group g;
        while ((g = reader.read()) != null) {
          row++;
          Consumer<PackedSample> sink = sinkOfShard.apply((int) (global++ % count));
          if (sink == null) {
            continue;
          }
          try {
            PackedSample s = decode(g);
            s.validate(vocabSize);
            sink.accept(s);
          } catch (RuntimeException e) {
            throw new IllegalArgumentException(file + " row " + row + ": " + e.getMessage(), e);
          }
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot read " + file + ": " + e.getMessage(), e);
      }
    }
  }

  private List<Path> files(String dir) {
    try {
      Path p = new Path(dir);
      FileSystem fs = p.getFileSystem(hadoop);
      if (!fs.exists(p)) {
        throw new IllegalArgumentException("samples not found: " + dir);
      }
      FileStatus[] st = fs.getFileStatus(p).isDirectory() ? fs.listStatus(p) : new FileStatus[] {fs.getFileStatus(p)};
      Arrays.sort(st);
      List<Path> out = new ArrayList<>();
      for (FileStatus s : st) {
        String name = s.getPath().getName();
        if (s.isFile() && name.endsWith(".parquet") && !name.startsWith("_") && !name.startsWith(".")) {
          out.add(s.getPath());
        }
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("no .parquet files in " + dir);
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + dir + ": " + e.getMessage(), e);
    }
  }

  static PackedSample decode(Group g) {
    int version = g.getInteger(SampleSchema.SCHEMA_VERSION, 0);
    if (version != SampleSchema.VERSION) {
      throw new IllegalArgumentException("schema_version " + version + " is not supported (this reader knows "
          + SampleSchema.VERSION + ")");
    }
    return new PackedSample(g.getString(SampleSchema.PARADIGM, 0), g.getString(SampleSchema.SPLIT, 0),
        g.getString(SampleSchema.USER_ID, 0), g.getLong(SampleSchema.FIRST_TARGET_SEQ, 0),
        g.getLong(SampleSchema.FIRST_TARGET_TS, 0), g.getInteger(SampleSchema.WINDOW, 0),
        ints(g, SampleSchema.INPUT_IDS), ints(g, SampleSchema.INTERACTION_IDX), ints(g, SampleSchema.ROLES),
        ints(g, SampleSchema.POSITION_IDS), ints(g, SampleSchema.SEGMENT_IDS), ints(g, SampleSchema.SUM_POSITIONS),
        ints(g, SampleSchema.LABELS), strings(g, SampleSchema.TARGET_USERS), strings(g, SampleSchema.TARGET_ITEMS),
        longs(g, SampleSchema.TARGET_SEQS), longs(g, SampleSchema.TARGET_TS));
  }

  /** A Parquet LIST column: group {repeated group list {element}}. */
  private static Group list(Group g, String field) {
    if (g.getFieldRepetitionCount(field) == 0) {
      throw new IllegalArgumentException(field + " is missing");
    }
    return g.getGroup(field, 0);
  }

  /** The elements of a LIST column, each read by {@code element(elementGroup)}. */
  private static <T> java.util.List<T> elements(Group g, String field, java.util.function.Function<Group, T> element) {
    Group l = list(g, field);
    int n = l.getFieldRepetitionCount(0);
    java.util.List<T> out = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(element.apply(l.getGroup(0, i)));
    }
    return out;
  }

  private static int[] ints(Group g, String field) {
    return elements(g, field, e -> e.getInteger(0, 0)).stream().mapToInt(Integer::intValue).toArray();
  }

  private static long[] longs(Group g, String field) {
    return elements(g, field, e -> e.getLong(0, 0)).stream().mapToLong(Long::longValue).toArray();
  }

  private static String[] strings(Group g, String field) {
    return elements(g, field, e -> e.getString(0, 0)).toArray(new String[0]);
  }
}
