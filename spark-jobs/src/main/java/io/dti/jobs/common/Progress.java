package io.dti.jobs.common;

import java.time.Duration;

/** One line per job step on stderr, with elapsed time; Spark's own progress bar shows tasks. */
public final class Progress {
  private final String job;
  private final long start = System.nanoTime();

  public Progress(String job) {
    this.job = job;
  }

  public void step(String what) {
    System.err.printf("[%s %s] %s%n", job, elapsed(), what);
  }

  public String elapsed() {
    Duration d = Duration.ofNanos(System.nanoTime() - start);
    return String.format("%d:%02d.%d", d.toMinutes(), d.toSecondsPart(), d.toMillisPart() / 100);
  }
}
