package io.dti.jobs.pack;

import io.dti.data.PackedSample;
import io.dti.data.SampleBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * Multi-user packing (method note, rule 4): short DTI streams of one split share a row up to
 * the token budget, first-fit decreasing over a bounded buffer so memory stays flat. The
 * input order is fixed by the caller's sort, so the packing is deterministic.
 */
final class MultiUserPacker {
  private MultiUserPacker() {}

  static final int BUFFER = 4096;

  static Iterator<Row> pack(Iterator<Row> rows, int budget) {
    List<Row> out = new ArrayList<>();
    List<PackedSample> buffer = new ArrayList<>();
    while (rows.hasNext()) {
      buffer.add(SampleRows.fromRow(rows.next()));
      if (buffer.size() == BUFFER) {
        flush(buffer, budget, out);
      }
    }
    flush(buffer, budget, out);
    return out.iterator();
  }

  private static void flush(List<PackedSample> buffer, int budget, List<Row> out) {
    buffer.sort(Comparator.comparingInt(PackedSample::numTokens).reversed()
        .thenComparing(PackedSample::userId).thenComparingLong(PackedSample::firstTargetSeq));
    List<List<PackedSample>> bins = new ArrayList<>();
    List<Integer> used = new ArrayList<>();
    for (PackedSample s : buffer) {
      int bin = -1;
      for (int b = 0; b < bins.size(); b++) {
        if (used.get(b) + s.numTokens() <= budget && bins.get(b).get(0).split().equals(s.split())) {
          bin = b;
          break;
        }
      }
      if (bin < 0) {
        bins.add(new ArrayList<>());
        used.add(0);
        bin = bins.size() - 1;
      }
      bins.get(bin).add(s);
      used.set(bin, used.get(bin) + s.numTokens());
    }
    for (List<PackedSample> bin : bins) {
      PackedSample packed = SampleBuilder.concat(bin);
      out.add(SampleRows.toRow(packed));
    }
    buffer.clear();
  }
}
