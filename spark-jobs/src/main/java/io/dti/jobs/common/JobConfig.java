package io.dti.jobs.common;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValueFactory;
import java.io.File;
import java.io.Serializable;
import java.util.List;

/**
 * Job settings: the defaults in {@code reference.conf} (every key documented there), then the
 * {@code --conf} files in order, then {@code --set key=value} overrides. Keys are read under
 * {@code dti.}. Serializable so executors get the same view as the driver.
 */
public final class JobConfig implements Serializable {
  private final String rendered;
  private transient Config config;

  private JobConfig(Config config) {
    this.config = config;
    this.rendered = config.root().render(ConfigRenderOptions.concise());
  }

  public static JobConfig load(List<File> files, List<String> overrides) {
    Config c = parseOverrides(overrides);
    for (int i = files.size() - 1; i >= 0; i--) {
      File f = files.get(i);
      if (!f.isFile()) {
        throw new IllegalArgumentException("config file not found: " + f);
      }
      c = c.withFallback(ConfigFactory.parseFile(f));
    }
    c = c.withFallback(ConfigFactory.defaultReference()).resolve();
    return new JobConfig(c);
  }

  public static JobConfig defaults() {
    return load(List.of(), List.of());
  }

  /** A copy with more overrides, for tests and for jobs that call other jobs. */
  public JobConfig with(String... overrides) {
    return new JobConfig(parseOverrides(List.of(overrides)).withFallback(config()).resolve());
  }

  /** {@code key=value} pairs; a value that is not a list, object or quoted string is taken as text. */
  private static Config parseOverrides(List<String> overrides) {
    Config c = ConfigFactory.empty();
    for (String kv : overrides) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--set expects key=value, got '" + kv + "'");
      }
      String v = kv.substring(eq + 1).trim();
      boolean raw = v.startsWith("[") || v.startsWith("{") || v.startsWith("\"");
      String value = raw ? v : ConfigValueFactory.fromAnyRef(v).render();
      c = ConfigFactory.parseString(q(kv.substring(0, eq).trim()) + " = " + value).withFallback(c);
    }
    return c;
  }

  private Config config() {
    if (config == null) {
      config = ConfigFactory.parseString(rendered);
    }
    return config;
  }

  private static String q(String key) {
    return key.startsWith("dti.") ? key : "dti." + key;
  }

  public String string(String key) {
    return config().getString(q(key));
  }

  public int integer(String key) {
    return config().getInt(q(key));
  }

  public long longValue(String key) {
    return config().getLong(q(key));
  }

  public double number(String key) {
    return config().getDouble(q(key));
  }

  public boolean flag(String key) {
    return config().getBoolean(q(key));
  }

  public List<String> strings(String key) {
    return config().getStringList(q(key));
  }


  /** The section under {@code dti.<path>} as JSON, for summaries. */
  public String json(String path) {
    return config().getConfig(q(path)).root().render(ConfigRenderOptions.concise());
  }
}
