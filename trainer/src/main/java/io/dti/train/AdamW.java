package io.dti.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.dti.model.Params;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (Loshchilov and Hutter), written out:
 *
 * <pre>
 *   m = b1 m + (1 - b1) g          v = b2 v + (1 - b2) g^2
 *   p = p - lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) - lr wd p      (wd on matrices only)
 * </pre>
 *
 * plus global gradient-norm clipping. Moments are saved next to the weights so a resumed run
 * continues exactly.
 */
public final class AdamW {
  private final Params params;
  private final double beta1 = 0.9;
  private final double beta2 = 0.95;
  private final double eps = 1e-8;
  private final double weightDecay;
  private final double clipNorm;
  private final Map<String, NDArray> m = new LinkedHashMap<>();
  private final Map<String, NDArray> v = new LinkedHashMap<>();
  private long t;

  public AdamW(Params params, double weightDecay, double clipNorm) {
    this.params = params;
    this.weightDecay = weightDecay;
    this.clipNorm = clipNorm;
    NDManager mgr = params.manager();
    for (var e : params.all().entrySet()) {
      m.put(e.getKey(), mgr.zeros(e.getValue().getShape()));
      v.put(e.getKey(), mgr.zeros(e.getValue().getShape()));
    }
  }

  /**
   * Applies one update from the accumulated gradients, then zeroes them. Returns the pre-clip
   * gradient norm. Every temporary is closed at once: they live in the parameters' manager,
   * which stays open for the whole run.
   */
  public double step(double lr) {
    t++;
    Map<String, NDArray> grads = new LinkedHashMap<>();
    double sq = 0;
    for (var e : params.all().entrySet()) {
      NDArray g = e.getValue().getGradient();
      grads.put(e.getKey(), g);
      try (NDArray g2 = g.square(); NDArray s = g2.sum()) {
        sq += s.getFloat();
      }
    }
    double norm = Math.sqrt(sq);
    if (!Double.isFinite(norm)) {
      t--;
      grads.values().forEach(NDArray::close);
      throw new IllegalStateException("gradient norm is " + norm + "; no update applied");
    }
    double scale = clipNorm > 0 && norm > clipNorm ? clipNorm / norm : 1.0;
    double c1 = 1 - Math.pow(beta1, t);
    double c2 = 1 - Math.pow(beta2, t);
    for (var e : params.all().entrySet()) {
      String name = e.getKey();
      NDArray p = e.getValue();
      NDArray g = grads.get(name);
      if (scale != 1.0) {
        g.muli(scale);
      }
      NDArray mt = m.get(name);
      NDArray vt = v.get(name);
      try (NDArray gm = g.mul(1 - beta1); NDArray g2 = g.square()) {
        mt.muli(beta1).addi(gm);
        vt.muli(beta2).addi(g2.muli(1 - beta2));
      }
      try (NDArray update = mt.div(c1); NDArray vHat = vt.div(c2); NDArray denom = vHat.sqrt()) {
        update.divi(denom.addi(eps));
        if (weightDecay > 0 && p.getShape().dimension() > 1) {
          try (NDArray decay = p.mul(weightDecay)) {
            update.addi(decay);
          }
        }
        p.subi(update.muli(lr));
      }
      g.muli(0); // zero the accumulated gradient in place
      g.close();
    }
    return norm;
  }

  public long steps() {
    return t;
  }

  public void save(OutputStream out) throws IOException {
    NDList list = new NDList();
    for (String name : m.keySet()) {
      list.add(named(m.get(name), "m." + name));
      list.add(named(v.get(name), "v." + name));
    }
    list.add(named(params.manager().create(new long[] {t}), "t"));
    list.encode(out, NDList.Encoding.SAFETENSORS);
  }

  public void load(InputStream in) throws IOException {
    try (NDManager tmp = params.manager().newSubManager()) {
      Map<String, NDArray> byName = new LinkedHashMap<>();
      NDList.decode(tmp, in).forEach(a -> byName.put(a.getName(), a));
      for (String name : m.keySet()) {
        m.get(name).set(require(byName, "m." + name).toFloatArray());
        v.get(name).set(require(byName, "v." + name).toFloatArray());
      }
      t = require(byName, "t").toLongArray()[0];
    }
  }

  private static NDArray require(Map<String, NDArray> byName, String name) throws IOException {
    NDArray a = byName.get(name);
    if (a == null) {
      throw new IOException("optimizer checkpoint lacks " + name);
    }
    return a;
  }

  private static NDArray named(NDArray a, String name) {
    a.setName(name);
    return a;
  }
}
