package io.dti.jobs.common;

import org.apache.spark.sql.SparkSession;

/** Builds or reuses the Spark session. Under spark-submit the master comes from the launcher. */
public final class Sparks {
  private Sparks() {}

  public static SparkSession session(JobConfig conf, String jobName) {
    SparkSession.Builder b = SparkSession.builder().appName(conf.string("spark.app-name") + "-" + jobName);
    if (System.getProperty("spark.master") == null) {
      b.master(conf.string("spark.master"));
    }
    return b
        .config("spark.sql.shuffle.partitions", conf.integer("spark.shuffle-partitions"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", conf.flag("spark.ui"))
        .getOrCreate();
  }
}
