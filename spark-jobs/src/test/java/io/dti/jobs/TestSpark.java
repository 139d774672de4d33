package io.dti.jobs;

import io.dti.jobs.common.JobConfig;
import org.apache.spark.sql.SparkSession;

/** One local Spark session for the whole test JVM (starting one costs seconds). */
public final class TestSpark {
  private static SparkSession spark;

  private TestSpark() {}

  public static synchronized SparkSession session() {
    if (spark == null || spark.sparkContext().isStopped()) {
      spark = SparkSession.builder().master("local[2]").appName("dti-tests")
          .config("spark.sql.shuffle.partitions", 4)
          .config("spark.ui.enabled", false)
          .config("spark.driver.host", "127.0.0.1")
          .config("spark.sql.session.timeZone", "UTC")
          .getOrCreate();
    }
    return spark;
  }

  /** Stops the shared session (a test that needs its own cluster session); the next {@link #session} starts a new one. */
  public static synchronized void stop() {
    if (spark != null) {
      spark.stop();
      spark = null;
    }
    SparkSession.clearActiveSession();
    SparkSession.clearDefaultSession();
  }

  /** Defaults with small partition counts, plus the given overrides. */
  public static JobConfig conf(String... overrides) {
    return JobConfig.defaults().with("spark.shuffle-partitions=4").with(overrides);
  }
}
