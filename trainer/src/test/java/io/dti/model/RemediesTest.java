package io.dti.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.dti.data.PackedSample;
import io.dti.data.SampleBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The math of each remedy, checked against values computed by hand. */
class RemediesTest {

  @Test
  void stateResetInterpolatesTowardTheEmbedding() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray h = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 2, 2));
      NDArray h0 = m.create(new float[] {5, 6, 7, 8}, new Shape(1, 2, 2));
      NDArray context = m.create(new float[] {1, 0}, new Shape(1, 2, 1)); // second token is a [SUM]
      assertArrayEquals(h.toFloatArray(), CtrTransformer.stateReset(h, h0, context, 0.0).toFloatArray());
      assertArrayEquals(new float[] {5, 6, 3, 4}, CtrTransformer.stateReset(h, h0, context, 1.0).toFloatArray());
      assertArrayEquals(new float[] {2, 3, 3, 4}, CtrTransformer.stateReset(h, h0, context, 0.25).toFloatArray(), 1e-6f);
    }
    Remedies grow = new Remedies(0.6, true, 0);
    assertEquals(0.2, grow.lambda(0, 3), 1e-12);
    assertEquals(0.6, grow.lambda(2, 3), 1e-12);
    assertEquals(0.6, new Remedies(0.6, false, 0).lambda(0, 3), 1e-12);
  }

  @Test
  void alibiBiasIsSlopeTimesDistance() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray pos = m.create(new long[] {0, 1, 3}, new Shape(1, 3));
      float[] bias = Attention.alibi(pos, pos, 2, null, 0).toFloatArray(); // (1, 2, 3, 3)
      float[] slopes = Attention.alibiSlopes(2);
      assertEquals(0.0625f, slopes[0], 1e-7f); // 2^(-8 * 1 / 2)
      assertEquals(0.00390625f, slopes[1], 1e-9f); // 2^(-8 * 2 / 2)
      int[] p = {0, 1, 3};
      for (int h = 0; h < 2; h++) {
        for (int q = 0; q < 3; q++) {
          for (int k = 0; k < 3; k++) {
            assertEquals(-slopes[h] * (p[q] - p[k]), bias[h * 9 + q * 3 + k], 1e-6f);
          }
        }
      }
      NDArray bos = m.create(new float[] {1, 0, 0}, new Shape(1, 1, 1, 3));
      float[] fixed = Attention.alibi(pos, pos, 2, bos, 2).toFloatArray();
      assertEquals(-slopes[0] * 2, fixed[2 * 3 + 0], 1e-6f); // query at position 3 sees [BOS] at distance 2, not 3
    }
  }

  @Test
  void distanceDecayPenalisesInteractionDistanceNotBos() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray inter = m.create(new float[] {-1, 0, 0, 2}, new Shape(1, 4));
      NDArray bos = m.create(new float[] {1, 0, 0, 0}, new Shape(1, 1, 1, 4));
      float[] bias = Attention.distanceDecay(inter, inter, bos, 1, 0.5).toFloatArray(); // (1, 1, 4, 4)
      float slope = Attention.alibiSlopes(1)[0] * 0.5f;
      assertEquals(0f, bias[3 * 4 + 0], 1e-7f); // [BOS] key: no penalty
      assertEquals(-slope * 2, bias[3 * 4 + 1], 1e-6f); // two interactions back
      assertEquals(0f, bias[2 * 4 + 1], 1e-7f); // same interaction
    }
  }

  @Test
  void lambdaZeroAndDecayZeroLeaveTheModelUnchanged() {
    var h = CtrTransformerTest.history(4, 10);
    PackedSample s = SampleBuilder.build("dti", "train", 3, h.subList(0, 3), h.subList(3, 10));
    ModelConfig base = CtrTransformerTest.config(ModelConfig.Positions.ALIBI, 2);
    try (NDManager m = NDManager.newBaseManager();
        CtrTransformer a = new CtrTransformer(m, base);
        CtrTransformer b = new CtrTransformer(m, base.withRemedies(new Remedies(0, false, 0)));
        CtrTransformer c = new CtrTransformer(m, base.withRemedies(new Remedies(0.5, false, 0.5)))) {
      float[] la = a.forward(Batch.of(m, List.of(s))).toFloatArray();
      assertArrayEquals(la, b.forward(Batch.of(m, List.of(s))).toFloatArray(), 1e-7f);
      float[] lc = c.forward(Batch.of(m, List.of(s))).toFloatArray();
      double gap = 0;
      for (int i = 0; i < la.length; i++) {
        gap = Math.max(gap, Math.abs(la[i] - lc[i]));
      }
      assertTrue(gap > 1e-5, "remedies must change the logits, gap " + gap);
    }
  }
}
