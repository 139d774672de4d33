package io.dti.jobs.common;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A job's output directory, written all or nothing. The job writes under a staging directory
 * next to the target; {@link #commit} writes the summary, then renames staging onto the target
 * (atomic on HDFS and local file systems) and drops a {@value #MARKER} file last. Readers
 * require the marker, so a crashed job never leaves an output that looks complete.
 */
public final class CommittedOutput {
  public static final String MARKER = io.dti.data.SampleSchema.COMMIT_MARKER;
  public static final String SUMMARY = "summary.json";

  private final Path target;
  private final Path staging;
  private final FileSystem fs;

  private CommittedOutput(Path target, Path staging, FileSystem fs) {
    this.target = target;
    this.staging = staging;
    this.fs = fs;
  }

  public static CommittedOutput begin(String output, boolean overwrite, Configuration hadoop) {
    try {
      Path target = new Path(output);
      FileSystem fs = target.getFileSystem(hadoop);
      if (fs.exists(target)) {
        if (!overwrite) {
          throw new IllegalStateException("output " + target + " already exists (use --overwrite to replace it)");
        }
      }
      Path staging = new Path(target.getParent(), "." + target.getName() + ".staging-" + System.nanoTime());
      fs.mkdirs(staging);
      return new CommittedOutput(target, staging, fs);
    } catch (IOException e) {
      throw new IllegalStateException("cannot prepare output " + output + ": " + e.getMessage(), e);
    }
  }

  /** Where the job writes a named part of its output before commit. */
  public String path(String name) {
    return new Path(staging, name).toString();
  }

  public String stagingDir() {
    return staging.toString();
  }

  public void commit(String summaryJson) {
    try {
      write(new Path(staging, SUMMARY), summaryJson);
      if (fs.exists(target)) {
        fs.delete(target, true);
      }
      if (!fs.rename(staging, target)) {
        throw new IOException("rename " + staging + " -> " + target + " failed");
      }
      write(new Path(target, MARKER), summaryJson);
    } catch (IOException e) {
      throw new IllegalStateException("cannot commit output " + target + ": " + e.getMessage(), e);
    }
  }

  private void write(Path p, String text) throws IOException {
    try (OutputStream out = fs.create(p, true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Fails, naming the path, unless {@code dir} is a committed output of a job. */
  public static void requireComplete(String dir, Configuration hadoop) {
    try {
      Path p = new Path(dir);
      FileSystem fs = p.getFileSystem(hadoop);
      if (!fs.exists(p)) {
        throw new IllegalArgumentException("input " + dir + " does not exist");
      }
      if (!fs.exists(new Path(p, MARKER))) {
        throw new IllegalArgumentException("input " + dir + " has no " + MARKER
            + " marker: it is not a complete output of a dti job (crashed or still running?)");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + dir + ": " + e.getMessage(), e);
    }
  }
}
