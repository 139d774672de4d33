package io.dti.train;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A training run's output directory on any Hadoop file system (a local path, file://,
 * hdfs://, s3a://). Layout:
 *
 * <pre>
 *   metrics.jsonl                          one JSON line per step (flushed as written)
 *   loss.png                               loss by step, rewritten at each checkpoint and at the end
 *   checkpoints/step-NNNNNNNN/             model.safetensors, optimizer.safetensors, state.json
 *   checkpoints/latest                     name of the newest step directory (for people)
 * </pre>
 *
 * A checkpoint counts once its state.json exists (written last), so a crash or a missing
 * atomic rename (S3) never makes a half-written checkpoint current.
 */
public final class RunDir {
  static final String STATE = "state.json";
  private final Path root;
  private final FileSystem fs;

  public RunDir(String dir, Configuration hadoop) throws IOException {
    this.root = new Path(dir);
    this.fs = root.getFileSystem(hadoop);
    fs.setWriteChecksum(false); // no .crc side files on the local file system
  }

  public Path path(String relative) {
    return new Path(root, relative);
  }

  /** Creates or replaces a file; see {@link #flush} to publish what was written before closing. */
  public FSDataOutputStream create(String relative) throws IOException {
    return fs.create(path(relative), true);
  }

  /**
   * Makes what was written visible to readers where the file system can (HDFS, local); object
   * stores (S3A) only publish on close and may refuse hflush, so there it is a plain flush.
   */
  public static void flush(FSDataOutputStream out) throws IOException {
    if (out.hasCapability(org.apache.hadoop.fs.StreamCapabilities.HFLUSH)) {
      out.hflush();
    } else {
      out.flush();
    }
  }

  public InputStream open(String relative) throws IOException {
    return fs.open(path(relative));
  }

  public boolean exists(String relative) throws IOException {
    return fs.exists(path(relative));
  }

  public String read(String relative) throws IOException {
    try (InputStream in = open(relative)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  public void write(String relative, String text) throws IOException {
    try (OutputStream out = create(relative)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  public List<String> lines(String relative) throws IOException {
    if (!exists(relative)) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String l : read(relative).split("\n")) {
      if (!l.isBlank()) {
        out.add(l);
      }
    }
    return out;
  }

  /** The last non-empty line of a file (reads at most its last 64 KiB), or null when it is missing or empty. */
  public String lastLine(String relative) throws IOException {
    Path p = path(relative);
    if (!fs.exists(p)) {
      return null;
    }
    long length = fs.getFileStatus(p).getLen();
    long from = Math.max(0, length - 65536);
    byte[] tail = new byte[(int) (length - from)];
    try (org.apache.hadoop.fs.FSDataInputStream in = fs.open(p)) {
      in.readFully(from, tail);
    }
    String[] lines = new String(tail, StandardCharsets.UTF_8).split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      if (!lines[i].isBlank() && (i > 0 || from == 0)) {
        return lines[i];
      }
    }
    return null;
  }

  public static String checkpointName(int step) {
    return String.format("checkpoints/step-%08d", step);
  }

  /** Step of the newest complete checkpoint (one with its state.json), or 0 when there is none. */
  public int newestCheckpoint() throws IOException {
    Path dir = path("checkpoints");
    if (!fs.exists(dir)) {
      return 0;
    }
    int best = 0;
    for (FileStatus s : fs.listStatus(dir)) {
      String name = s.getPath().getName();
      if (s.isDirectory() && name.startsWith("step-") && fs.exists(new Path(s.getPath(), STATE))) {
        best = Math.max(best, Integer.parseInt(name.substring("step-".length())));
      }
    }
    return best;
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
