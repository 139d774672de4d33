package io.dti.train;

import io.dti.data.PackedSample;
import io.dti.data.SampleReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The training data cut into {@code count} fixed shards (shard s = rows s, s + count, ... of the
 * pack output, see {@link SampleReader}), of which a rank holds some. Every step each shard
 * contributes one batch of batch-targets / count targets, whichever worker (rank x device)
 * computes it: worker w of W computes the shards s with s mod W = w. So the global batch, and
 * the weights after N steps, depend on the shard count and the seed, not on how many ranks or
 * devices share the work.
 */
public record DataShards(int count, SortedMap<Integer, List<PackedSample>> held) {
  public DataShards {
    if (count < 1) {
      throw new IllegalArgumentException("shard count " + count + " < 1");
    }
    held = Collections.unmodifiableSortedMap(new TreeMap<>(held));
  }

  /** All the data as one shard (single-process training). */
  public static DataShards whole(List<PackedSample> samples) {
    return new DataShards(1, new TreeMap<>(Map.of(0, samples)));
  }

  /** The shards that workers {@code firstWorker .. firstWorker + workers - 1} of {@code totalWorkers} compute. */
  public static List<Integer> shardsOf(int count, int firstWorker, int workers, int totalWorkers) {
    List<Integer> out = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      int w = s % totalWorkers;
      if (w >= firstWorker && w < firstWorker + workers) {
        out.add(s);
      }
    }
    return out;
  }

  /** Reads the shards a rank's workers compute (the reader's row-modulo sharding), in one pass. */
  public static DataShards read(SampleReader reader, String dir, int count, int rank, int replicasPerRank, int worldSize) {
    return new DataShards(count, reader.readShards(dir,
        shardsOf(count, rank * replicasPerRank, replicasPerRank, worldSize * replicasPerRank), count));
  }

  public long samples() {
    return held.values().stream().mapToLong(List::size).sum();
  }

  public long targets() {
    return held.values().stream().flatMap(List::stream).mapToLong(PackedSample::numTargets).sum();
  }
}
