package io.dti.jobs;

import io.dti.jobs.common.JobConfig;
import io.dti.jobs.generate.GenerateJob;
import io.dti.jobs.pack.PackJob;
import io.dti.jobs.prepare.PrepareJob;
import io.dti.jobs.tokenize.TokenizerJob;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Small inputs the tests write themselves, and the generate -> prepare -> tokenizer -> pack chain. */
public final class Fixtures {
  private Fixtures() {}

  public static Path write(Path dir, String name, Charset cs, String... lines) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, List.of(lines), cs);
    return p;
  }

  /** generate (small) -> prepare -> tokenizer -> pack under root; returns the pack output path. */
  public static String pipeline(Path root, JobConfig conf) {
    var spark = TestSpark.session();
    GenerateJob.run(spark, conf, root.resolve("raw").toString(), true);
    JobConfig c = conf.with("prepare.format=movielens-csv");
    PrepareJob.run(spark, c, root.resolve("raw").toString(), root.resolve("prepared").toString(), true);
    TokenizerJob.run(spark, c, root.resolve("prepared").toString(), root.resolve("tokenizer").toString(), true);
    PackJob.run(spark, c, root.resolve("prepared").toString(), root.resolve("tokenizer").toString(),
        root.resolve("packed").toString(), true);
    return root.resolve("packed").toString();
  }

}
