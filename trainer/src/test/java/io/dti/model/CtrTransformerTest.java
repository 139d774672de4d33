package io.dti.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.dti.data.PackedSample;
import io.dti.data.SampleBuilder;
import io.dti.data.SampleBuilder.Interaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

public class CtrTransformerTest {
  static final int VOCAB = 40;

  public static List<Interaction> history(long seed, int m) {
    Random rng = new Random(seed);
    List<Interaction> h = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      int[] text = new int[1 + rng.nextInt(3)];
      for (int t = 0; t < text.length; t++) {
        text[t] = 6 + rng.nextInt(VOCAB - 6);
      }
      h.add(new Interaction("u", "i" + i, i, i, rng.nextInt(2), text));
    }
    return h;
  }

  /** Max |logit difference| between each DTI target and its own SW prompt. */
  static double maxGap(ModelConfig c, int n, int k) {
    List<Interaction> h = history(3, n + k);
    PackedSample dti = SampleBuilder.build("dti", "train", n, h.subList(0, n), h.subList(n, n + k));
    List<PackedSample> sw = new ArrayList<>();
    for (int t = n; t < n + k; t++) {
      sw.add(SampleBuilder.build("sw", "train", n, h.subList(t - n, t), h.subList(t, t + 1)));
    }
    try (NDManager m = NDManager.newBaseManager(); CtrTransformer model = new CtrTransformer(m, c)) {
      float[] a = model.forward(Batch.of(m, List.of(dti))).toFloatArray();
      float[] b = model.forward(Batch.of(m, sw)).toFloatArray(); // one batch, padded: padding must not matter
      assertEquals(k, a.length);
      double gap = 0;
      for (int j = 0; j < k; j++) {
        gap = Math.max(gap, Math.abs(a[j] - b[j]));
      }
      return gap;
    }
  }

  static ModelConfig config(ModelConfig.Positions pos, int layers) {
    // Larger init than training uses, so differences are not hidden by tiny activations.
    return new ModelConfig(VOCAB, 32, layers, 4, 64, pos, 512, 10000.0, 0, 99L, 0);
  }

  @ParameterizedTest
  @EnumSource(value = ModelConfig.Positions.class, names = {"ALIBI", "ROPE"})
  void oneLayerDtiEqualsSlidingWindow(ModelConfig.Positions pos) {
    double gap = maxGap(config(pos, 1), 4, 6);
    assertTrue(gap < 1e-4, pos + ": 1-layer DTI vs SW logit gap " + gap);
  }

  @ParameterizedTest
  @EnumSource(value = ModelConfig.Positions.class, names = {"ALIBI", "ROPE"})
  void deeperModelsLeakBeyondTheWindow(ModelConfig.Positions pos) {
    double gap = maxGap(config(pos, 3), 4, 6);
    assertTrue(gap > 1e-5, pos + ": 3-layer gap " + gap + " should show hidden-state leakage");
  }

  @Test
  void realBosDistanceBreaksTheInvariant() {
    double gap = maxGap(config(ModelConfig.Positions.ALIBI, 1).withBosDistance(-1), 4, 6);
    assertTrue(gap > 1e-5, "with the real [BOS] distance the logits differ, gap " + gap);
  }

  @Test
  void lossIsStableBinaryCrossEntropy() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray z = m.create(new float[] {0f, 2f, -3f, 50f, -50f});
      NDArray y = m.create(new float[] {1f, 0f, 1f, 1f, 0f});
      float[] l = CtrTransformer.bceWithLogits(z, y).toFloatArray();
      double[] expected = {Math.log(2), -Math.log(1 - 1 / (1 + Math.exp(-2))), -Math.log(1 / (1 + Math.exp(3))), 0, 0};
      for (int i = 0; i < l.length; i++) {
        assertEquals(expected[i], l[i], 1e-5);
      }
    }
  }
}
