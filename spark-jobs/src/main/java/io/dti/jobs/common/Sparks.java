package io.dti.jobs.common;

import org.apache.spark.sql.SparkSession;

/**
 * Builds or reuses the Spark session. Under spark-submit the master comes from the launcher;
 * {@code local-cluster[workers,cores,memoryMB]} runs executors in their own JVMs from this
 * JVM's class path ({@link LocalExecutors}).
 */
public final class Sparks {
  private Sparks() {}

  public static SparkSession session(JobConfig conf, String jobName) {
    SparkSession.Builder b = SparkSession.builder().appName(conf.string("spark.app-name") + "-" + jobName);
    String master = System.getProperty("spark.master");
    if (master == null) {
      master = conf.string("spark.master");
      b.master(master);
    }
    if (master.startsWith("local-cluster")) {
      LocalExecutors.conf().forEach(b::config);
    }
    return b
        .config("spark.sql.shuffle.partitions", conf.integer("spark.shuffle-partitions"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", conf.flag("spark.ui"))
        .getOrCreate();
  }
}
