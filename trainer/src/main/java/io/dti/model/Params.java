package io.dti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * The model's parameters by name, in creation order. Initialised from a Java seed (not the
 * engine's RNG), so the same config gives the same weights on any device. Saved and loaded as
 * safetensors through DJL's NDList.
 */
public final class Params implements AutoCloseable {
  private final NDManager manager;
  private final Map<String, NDArray> byName = new LinkedHashMap<>();

  public Params(NDManager parent) {
    this.manager = parent.newSubManager();
  }

  public NDManager manager() {
    return manager;
  }

  /** A trainable tensor drawn from N(0, std^2), or filled with {@code std} when constant is true. */
  public NDArray create(String name, Random rng, double std, boolean constant, long... shape) {
    int size = (int) new Shape(shape).size();
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = constant ? (float) std : (float) (rng.nextGaussian() * std);
    }
    return register(name, manager.create(values, new Shape(shape)));
  }

  private NDArray register(String name, NDArray a) {
    a.setName(name);
    a.setRequiresGradient(true);
    if (byName.put(name, a) != null) {
      throw new IllegalStateException("duplicate parameter " + name);
    }
    return a;
  }

  public NDArray get(String name) {
    NDArray a = byName.get(name);
    if (a == null) {
      throw new IllegalArgumentException("no parameter " + name);
    }
    return a;
  }

  public Map<String, NDArray> all() {
    return Collections.unmodifiableMap(byName);
  }

  public long count() {
    return byName.values().stream().mapToLong(a -> a.getShape().size()).sum();
  }

  public void save(OutputStream out) throws IOException {
    NDList list = new NDList();
    byName.values().forEach(list::add);
    list.encode(out, NDList.Encoding.SAFETENSORS);
  }

  /** Overwrites every parameter with the tensor of the same name; shapes must match. */
  public void load(InputStream in) throws IOException {
    try (NDManager tmp = manager.newSubManager()) {
      NDList list = NDList.decode(tmp, in);
      Map<String, NDArray> loaded = new LinkedHashMap<>();
      list.forEach(a -> loaded.put(a.getName(), a));
      for (var e : byName.entrySet()) {
        NDArray src = loaded.get(e.getKey());
        if (src == null || !src.getShape().equals(e.getValue().getShape())) {
          throw new IOException("checkpoint lacks parameter " + e.getKey() + " " + e.getValue().getShape());
        }
        e.getValue().set(src.toFloatArray());
      }
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
