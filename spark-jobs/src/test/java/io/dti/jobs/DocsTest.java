package io.dti.jobs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.dti.data.SampleSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The docs name every sample column and every config key, so they cannot silently fall behind. */
class DocsTest {
  static String read(String name) throws Exception {
    return Files.readString(Path.of("..", "docs", name));
  }

  @Test
  void everySampleColumnIsDocumented() throws Exception {
    String doc = read("data-schema.md");
    for (SampleSchema.Column c : SampleSchema.COLUMNS) {
      assertTrue(doc.contains("| `" + c.name() + "` |"), "docs/data-schema.md lacks column " + c.name());
    }
  }

  @Test
  void everyConfigKeyIsDocumented() throws Exception {
    String doc = read("configuration.md");
    var dti = ConfigFactory.defaultReference().getConfig("dti");
    for (var e : dti.entrySet()) {
      assertTrue(doc.contains("| `" + e.getKey() + "` |"), "docs/configuration.md lacks key " + e.getKey());
    }
  }
}
