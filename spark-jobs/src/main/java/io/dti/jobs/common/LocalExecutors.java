package io.dti.jobs.common;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Executors in their own JVMs on this machine without a Spark distribution: the local-cluster
 * master (Master and Workers in this JVM) or a standalone Master and Workers started by a test
 * or benchmark. The Workers launch executors from {@code $SPARK_HOME/jars} plus
 * {@code spark.executor.extraClassPath}; here the home is a skeleton (deploy/dti and the test
 * build point SPARK_HOME at one) and the class path is this JVM's. Executors get this JVM's
 * {@code --add-opens} and {@code -D} flags too.
 */
public final class LocalExecutors {
  private LocalExecutors() {}

  /** Spark settings for executors launched from this JVM's class path; creates the SPARK_HOME skeleton. */
  public static Map<String, String> conf() {
    String home = System.getenv("SPARK_HOME");
    if (home == null || home.isBlank()) {
      throw new IllegalStateException("executors in their own JVMs need SPARK_HOME set (deploy/dti and the tests point it "
          + "at spark-jobs/target/spark-home; any directory works, its skeleton is created here)");
    }
    try {
      Files.createDirectories(Path.of(home, "jars"));
      Files.createDirectories(Path.of(home, "launcher", "target", "scala-2.13")); // how Spark's launcher finds the Scala version
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot create the SPARK_HOME skeleton in " + home + ": " + e.getMessage(), e);
    }
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.executor.extraClassPath", classPath());
    String flags = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("--add-opens") || a.startsWith("-Dai.djl") || a.startsWith("-Djdk.reflect")
            || a.startsWith("-Dio.netty"))
        .collect(Collectors.joining(" "));
    conf.put("spark.executor.extraJavaOptions", flags);
    return conf;
  }

  /** The full class path: Surefire's (it hides it behind a manifest jar) or the JVM's. */
  static String classPath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    return java.util.Arrays.stream(cp.split(File.pathSeparator)).filter(s -> !s.isBlank())
        .map(s -> new File(s).getAbsolutePath()).collect(Collectors.joining(File.pathSeparator));
  }
}
