package io.dti.jobs.prepare;

import static io.dti.jobs.prepare.Canonical.*;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

import io.dti.jobs.common.JobConfig;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Train / valid / test assignment.
 * <ul>
 *   <li>{@code temporal} (default): global timestamp quantiles, so nothing in training happens
 *       after anything in valid or test (no future leaks);</li>
 *   <li>{@code leave-last-out}: per user, the last interaction is test, the one before valid.</li>
 * </ul>
 */
final class Splits {
  private Splits() {}

  static Dataset<Row> assign(Dataset<Row> interactions, JobConfig conf) {
    String mode = conf.string("prepare.split.mode");
    switch (mode) {
      case "temporal": {
        double valid = conf.number("prepare.split.valid-fraction");
        double test = conf.number("prepare.split.test-fraction");
        if (valid < 0 || test < 0 || valid + test >= 1) {
          throw new IllegalArgumentException("prepare.split fractions must be >= 0 and sum below 1");
        }
        // Exact quantiles (relative error 0) so the same input always splits the same way.
        double[] q = interactions.stat().approxQuantile(TIMESTAMP, new double[] {1 - valid - test, 1 - test}, 0.0);
        long validFrom = (long) q[0];
        long testFrom = (long) q[1];
        return interactions.withColumn(SPLIT,
            when(col(TIMESTAMP).geq(testFrom).and(lit(test > 0)), TEST)
                .when(col(TIMESTAMP).geq(validFrom).and(lit(valid > 0)), VALID)
                .otherwise(TRAIN));
      }
      case "leave-last-out": {
        Dataset<Row> ranked = interactions.withColumn("_from_end",
            row_number().over(Window.partitionBy(USER_ID).orderBy(col(TIMESTAMP).desc(), col(ITEM_ID).desc())));
        return ranked.withColumn(SPLIT,
            when(col("_from_end").equalTo(1), TEST).when(col("_from_end").equalTo(2), VALID).otherwise(TRAIN))
            .drop("_from_end");
      }
      default:
        throw new IllegalArgumentException("prepare.split.mode must be temporal or leave-last-out, got " + mode);
    }
  }
}
