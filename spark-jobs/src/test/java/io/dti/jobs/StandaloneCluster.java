package io.dti.jobs;

import io.dti.jobs.common.LocalExecutors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.deploy.master.Master$;
import org.apache.spark.deploy.worker.Worker$;
import org.apache.spark.rpc.RpcEnv;
import org.apache.spark.sql.SparkSession;
import scala.Option;

/**
 * A Spark standalone cluster started by a test: a Master and Workers (their RPC endpoints in
 * this JVM, as Spark's own local-cluster does), whose executors are separate JVMs launched by
 * the Workers. Sessions connect to it with a {@code spark://} URL like any real cluster.
 */
public final class StandaloneCluster implements AutoCloseable {
  private final RpcEnv master;
  private final List<RpcEnv> workers = new ArrayList<>();
  private final String url;

  public StandaloneCluster(int workerCount, int coresPerWorker, int memoryMbPerWorker, Path workDir) {
    SparkConf conf = new SparkConf();
    var m = Master$.MODULE$.startRpcEnvAndEndpoint("127.0.0.1", 0, 0, conf);
    this.master = m._1();
    this.url = "spark://127.0.0.1:" + master.address().port(); // (m._2() is the web UI port)
    for (int i = 0; i < workerCount; i++) {
      workers.add(Worker$.MODULE$.startRpcEnvAndEndpoint("127.0.0.1", 0, 0, coresPerWorker, memoryMbPerWorker,
          new String[] {url}, workDir.resolve("worker-" + i).toString(), Option.<Object>apply(i + 1), new SparkConf(),
          Option.empty()));
    }
  }

  public String url() {
    return url;
  }

  /** A session on this cluster: one executor of 1 core per worker, from the test class path. */
  public SparkSession session(String appName) {
    SparkSession.Builder b = SparkSession.builder().master(url).appName(appName)
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.ui.enabled", false)
        .config("spark.executor.cores", 1)
        .config("spark.executor.memory", "1g")
        .config("spark.sql.shuffle.partitions", 4)
        // a replaced executor joins within seconds: re-check barrier slots every second, not every 15
        .config("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
    LocalExecutors.conf().forEach(b::config);
    return b.getOrCreate();
  }

  @Override
  public void close() {
    for (RpcEnv w : workers) {
      w.shutdown();
      w.awaitTermination();
    }
    master.shutdown();
    master.awaitTermination();
  }
}
