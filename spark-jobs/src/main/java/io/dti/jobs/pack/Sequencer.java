package io.dti.jobs.pack;

import static io.dti.jobs.prepare.Canonical.ITEM_ID;
import static io.dti.jobs.prepare.Canonical.TIMESTAMP;
import static io.dti.jobs.prepare.Canonical.USER_ID;
import static org.apache.spark.sql.functions.col;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Numbers each user's interactions 0, 1, 2, ... in time order (ties by item id) without ever
 * putting one user's whole history in one task. A window partitioned by user would: a user with
 * 1M interactions becomes one task. Instead the data is range-partitioned on (user, time, item),
 * so a long history spans several partitions; each partition reports its first and last user
 * run, the driver turns those into a starting offset per partition (a prefix sum over P
 * numbers), and a second pass numbers rows locally.
 */
final class Sequencer {
  private Sequencer() {}

  static final String SEQ = "seq";

  private static final StructType BOUNDARY = new StructType()
      .add("partition", DataTypes.IntegerType).add("first_user", DataTypes.StringType)
      .add("first_run", DataTypes.LongType).add("last_user", DataTypes.StringType)
      .add("last_run", DataTypes.LongType).add("rows", DataTypes.LongType);

  static Dataset<Row> assign(Dataset<Row> interactions, int partitions) {
    SparkSession spark = interactions.sparkSession();
    Dataset<Row> sorted = interactions
        .repartitionByRange(partitions, col(USER_ID), col(TIMESTAMP), col(ITEM_ID))
        .sortWithinPartitions(USER_ID, TIMESTAMP, ITEM_ID)
        .persist(StorageLevel.MEMORY_AND_DISK());
    int userCol = sorted.schema().fieldIndex(USER_ID);

    List<Row> bounds = sorted.mapPartitions((MapPartitionsFunction<Row, Row>) it -> {
      String first = null;
      String last = null;
      long firstRun = 0;
      long lastRun = 0;
      long rows = 0;
      while (it.hasNext()) {
        String u = it.next().getString(userCol);
        if (first == null) {
          first = u;
        }
        if (u.equals(first) && lastRun == rows) {
          firstRun++;
        }
        lastRun = u.equals(last) ? lastRun + 1 : 1;
        last = u;
        rows++;
      }
      return List.of(RowFactory.create(TaskContext.getPartitionId(), first, firstRun, last, lastRun, rows)).iterator();
    }, Encoders.row(BOUNDARY)).collectAsList();

    long[] offsets = offsets(bounds, sorted.rdd().getNumPartitions());
    Broadcast<long[]> start = spark.sparkContext().broadcast(offsets, scala.reflect.ClassTag$.MODULE$.apply(long[].class));
    StructType out = sorted.schema().add(SEQ, DataTypes.LongType, false);
    return sorted.mapPartitions((MapPartitionsFunction<Row, Row>) it -> new Iterator<Row>() {
      private final long firstOffset = start.value()[TaskContext.getPartitionId()];
      private String current;
      private long seq;
      private boolean first = true;

      @Override public boolean hasNext() {
        return it.hasNext();
      }

      @Override public Row next() {
        Row r = it.next();
        String u = r.getString(userCol);
        if (!u.equals(current)) {
          seq = first ? firstOffset : 0;
          current = u;
          first = false;
        }
        Object[] values = new Object[r.size() + 1];
        for (int i = 0; i < r.size(); i++) {
          values[i] = r.get(i);
        }
        values[r.size()] = seq++;
        return RowFactory.create(values);
      }
    }, Encoders.row(out));
  }

  /** Starting seq of each partition's first user: the rows that user had in earlier partitions. */
  static long[] offsets(List<Row> bounds, int partitions) {
    long[] offsets = new long[partitions];
    Row[] byPartition = new Row[partitions];
    for (Row b : bounds) {
      byPartition[b.getInt(0)] = b;
    }
    String carryUser = null;
    long carry = 0;
    for (int p = 0; p < partitions; p++) {
      Row b = byPartition[p];
      if (b == null || b.getLong(5) == 0) {
        continue;
      }
      String firstUser = b.getString(1);
      offsets[p] = firstUser.equals(carryUser) ? carry : 0;
      if (b.getLong(2) == b.getLong(5)) { // the whole partition is one user's run
        carry = offsets[p] + b.getLong(5);
        carryUser = firstUser;
      } else {
        carry = b.getLong(4);
        carryUser = b.getString(3);
      }
    }
    return offsets;
  }

}
