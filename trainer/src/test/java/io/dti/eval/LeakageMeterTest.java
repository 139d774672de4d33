package io.dti.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.dti.data.PackedSample;
import io.dti.data.SampleBuilder;
import io.dti.model.CtrTransformer;
import io.dti.model.ModelConfig;
import io.dti.model.Remedies;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeakageMeterTest {
  static List<PackedSample> streams() {
    List<PackedSample> out = new ArrayList<>();
    for (int u = 0; u < 6; u++) {
      var h = io.dti.model.CtrTransformerTest.history(10 + u, 14);
      out.add(SampleBuilder.build("dti", "test", 3, h.subList(0, 3), h.subList(3, 14)));
    }
    return out;
  }

  static LeakageMeter.Report report(ModelConfig c) {
    try (NDManager m = NDManager.newBaseManager(); CtrTransformer model = new CtrTransformer(m, c)) {
      return LeakageMeter.measure(model, streams(), 16);
    }
  }

  static ModelConfig config(int layers, int block) {
    return new ModelConfig(40, 32, layers, 4, 64, ModelConfig.Positions.ROPE, 512, 10000.0, 0, 21L, block);
  }

  @Test
  void zeroForOneLayerWithRelativePositions() {
    LeakageMeter.Report r = report(config(1, 8));
    assertEquals(11, r.count().length);
    assertEquals(6, r.count()[10]);
    assertTrue(r.overallMean() < 1e-5, "1-layer leakage " + r.overallMean());
    assertEquals(r.aucDti(), r.aucSw(), 1e-9);
  }

  @Test
  void nonZeroForDeeperModelsAndReducedByStateReset() {
    LeakageMeter.Report deep = report(config(3, 8));
    assertTrue(deep.overallMean() > 1e-5, "3-layer leakage " + deep.overallMean());
    LeakageMeter.Report reset = report(config(3, 8).withRemedies(new Remedies(1.0, false, 0)));
    // lambda = 1 returns every context token to its embedding after each layer: no state
    // carries anything from beyond the window, so the skew vanishes.
    assertTrue(reset.overallMean() < 1e-5, "full reset leakage " + reset.overallMean());
  }
}
