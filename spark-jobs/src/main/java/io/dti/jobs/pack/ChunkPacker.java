package io.dti.jobs.pack;

import io.dti.data.PackedSample;
import io.dti.data.SampleBuilder;
import io.dti.data.SampleBuilder.Interaction;
import io.dti.data.SampleSchema;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.Row;

/**
 * Packs one chunk of one user's history. Chunk c holds the targets with seq in [c k, c k + k)
 * plus the n interactions before them, so a group never exceeds n + k rows, whatever the
 * user's history length. Within the chunk, each maximal run of consecutive targets of one
 * split becomes one DTI sample; each target also becomes one SW prompt.
 */
final class ChunkPacker implements Serializable {
  /** Column order of the rows this packer reads. */
  static final String[] INPUT_COLUMNS = {"user_id", "item_id", "timestamp", "label", "split", "seq", "token_ids"};

  private final int window;
  private final int targets;
  private final Set<String> splits;
  private final boolean writeSw;
  private final boolean writeDti;

  ChunkPacker(int window, int targets, List<String> splits, boolean writeSw, boolean writeDti) {
    if (window < 0 || targets < 1) {
      throw new IllegalArgumentException("pack.window must be >= 0 and pack.targets >= 1");
    }
    this.window = window;
    this.targets = targets;
    this.splits = Set.copyOf(splits);
    this.writeSw = writeSw;
    this.writeDti = writeDti;
  }

  /** Chunks that need interaction seq: its own (as a target) and the ones whose context it is. */
  long firstChunk(long seq) {
    return seq / targets;
  }

  long lastChunk(long seq) {
    return (seq + window) / targets;
  }

  private record Entry(Interaction x, String split) {}

  Iterator<Row> pack(long chunk, Iterator<Row> rows) {
    List<Entry> all = new ArrayList<>();
    while (rows.hasNext()) {
      Row r = rows.next();
      List<Integer> toks = r.getList(6);
      int[] t = toks.stream().mapToInt(Integer::intValue).toArray();
      all.add(new Entry(new Interaction(r.getString(0), r.getString(1), r.getLong(5), r.getLong(2), r.getInt(3), t),
          r.getString(4)));
    }
    all.sort(Comparator.comparingLong(e -> e.x().seq()));
    long from = chunk * targets;
    long to = from + targets;
    long base = all.isEmpty() ? 0 : all.get(0).x().seq();
    List<Row> out = new ArrayList<>();
    int i = 0;
    while (i < all.size()) {
      Entry e = all.get(i);
      long seq = e.x().seq();
      if (seq < from || seq >= to || !splits.contains(e.split())) {
        i++;
        continue;
      }
      int j = i;
      List<Interaction> run = new ArrayList<>();
      while (j < all.size() && all.get(j).x().seq() < to && all.get(j).split().equals(e.split())) {
        run.add(all.get(j).x());
        j++;
      }
      if (writeDti) {
        emit(out, SampleBuilder.build(SampleSchema.PARADIGM_DTI, e.split(), window, context(all, base, seq), run));
      }
      if (writeSw) {
        for (Interaction t : run) {
          emit(out, SampleBuilder.build(SampleSchema.PARADIGM_SW, e.split(), window, context(all, base, t.seq()),
              List.of(t)));
        }
      }
      i = j;
    }
    return out.iterator();
  }

  /** The (up to) n interactions before seq; the chunk holds them all, contiguous from base. */
  private List<Interaction> context(List<Entry> all, long base, long seq) {
    int end = (int) (seq - base);
    int start = Math.max(0, end - window);
    List<Interaction> ctx = new ArrayList<>(end - start);
    for (int i = start; i < end; i++) {
      ctx.add(all.get(i).x());
    }
    return ctx;
  }

  private static void emit(List<Row> out, PackedSample s) {
    out.add(SampleRows.toRow(s));
  }
}
