package io.dti.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reader's one code path on a real (in-process) HDFS: hdfs:// URIs, sharding, validation. */
class HdfsSampleReaderTest {
  @TempDir Path dir;

  @Test
  void readsShardsFromHdfs() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("hdfs").toString());
    MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    try {
      cluster.waitActive();
      String root = cluster.getURI() + "/packed/dti/train";
      List<PackedSample> in = SampleReaderTest.samples(7);
      Path local = dir.resolve("part-00000.parquet");
      SampleFiles.write(local.toString(), in, SampleSchema.VERSION);
      FileSystem fs = cluster.getFileSystem();
      fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(local.toString()), new org.apache.hadoop.fs.Path(root + "/part-00000.parquet"));
      assertTrue(root.startsWith("hdfs://"), root);

      SampleReader reader = new SampleReader(cluster.getConfiguration(0), 20);
      List<PackedSample> r0 = reader.read(root, 0, 2);
      List<PackedSample> r1 = reader.read(root, 1, 2);
      assertEquals(4, r0.size());
      assertEquals(3, r1.size());
      assertArrayEquals(in.get(1).inputIds(), r1.get(0).inputIds());
      assertEquals(in.get(6).userId(), r0.get(3).userId());
    } finally {
      cluster.shutdown();
    }
  }
}
