package io.dti.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.dti.data.PackedSample;
import io.dti.data.SampleBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Banded attention computes exactly what dense masked attention does: outputs and gradients. */
class BandedAttentionTest {

  static List<PackedSample> batch() {
    List<PackedSample> out = new ArrayList<>();
    var h1 = CtrTransformerTest.history(1, 30);
    out.add(SampleBuilder.build("dti", "train", 3, h1.subList(0, 3), h1.subList(3, 30)));
    var h2 = CtrTransformerTest.history(2, 12);
    out.add(SampleBuilder.build("dti", "train", 3, h2.subList(0, 2), h2.subList(2, 12)));
    var h3 = CtrTransformerTest.history(3, 8);
    var h4 = CtrTransformerTest.history(4, 9);
    out.add(SampleBuilder.concat(List.of(SampleBuilder.build("dti", "train", 3, h3.subList(0, 1), h3.subList(1, 8)),
        SampleBuilder.build("dti", "train", 3, h4.subList(0, 3), h4.subList(3, 9)))));
    return out;
  }

  record Run(float[] logits, float[] gradWq, float[] gradEmb, long entries) {}

  static Run run(ModelConfig c, int blockSize) {
    return run(c, blockSize, false);
  }

  /** With {@code collectBeforeBackward}, a full GC and fresh native allocations (filled with NaN) run between forward and backward. */
  static Run run(ModelConfig c, int blockSize, boolean collectBeforeBackward) {
    try (NDManager m = NDManager.newBaseManager(); CtrTransformer model = new CtrTransformer(m, c.withAttentionBlock(blockSize))) {
      Batch b = Batch.of(m, batch(), blockSize);
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        NDArray logits = model.forward(b);
        if (collectBeforeBackward) {
          for (int i = 0; i < 3; i++) {
            System.gc();
            try (NDManager junk = NDManager.newBaseManager()) {
              for (int j = 0; j < 200; j++) {
                float[] nan = new float[256];
                java.util.Arrays.fill(nan, Float.NaN);
                junk.create(nan);
              }
            }
          }
        }
        gc.backward(logits.mul(logits).sum());
        return new Run(logits.toFloatArray(), model.params().get("layer0.wq").getGradient().toFloatArray(),
            model.params().get("tok_emb").getGradient().toFloatArray(), b.attentionEntries());
      }
    }
  }

  static void close(float[] a, float[] b, double tol, String what) {
    assertEquals(a.length, b.length);
    double max = 0;
    for (int i = 0; i < a.length; i++) {
      max = Math.max(max, Math.abs(a[i] - b[i]));
    }
    assertTrue(max < tol, what + " differ by " + max);
  }

  @ParameterizedTest
  @EnumSource(ModelConfig.Positions.class)
  void bandedEqualsDense(ModelConfig.Positions pos) {
    ModelConfig c = new ModelConfig(CtrTransformerTest.VOCAB, 32, 2, 4, 64, pos, 512, 10000.0, 0, 11L, 0);
    Run dense = run(c, 0);
    Run banded = run(c, 8);
    close(dense.logits(), banded.logits(), 1e-5, "logits");
    close(dense.gradWq(), banded.gradWq(), 1e-5, "gradients of layer0.wq");
    close(dense.gradEmb(), banded.gradEmb(), 1e-5, "gradients of tok_emb");
    assertTrue(banded.entries() < dense.entries(), "banded computes " + banded.entries() + " entries, dense " + dense.entries());
  }

  /**
   * Regression: autograd may keep scalars for backward; built with DJL's {@code mul(Number)}
   * they lived on a buffer freed right after the op, and a GC before backward turned gradients
   * into garbage. The model builds its scalars in the batch's manager now.
   */
  @ParameterizedTest
  @EnumSource(ModelConfig.Positions.class)
  void gradientsSurviveGarbageCollectionBeforeBackward(ModelConfig.Positions pos) {
    ModelConfig c = new ModelConfig(CtrTransformerTest.VOCAB, 32, 2, 4, 64, pos, 512, 10000.0, 0, 11L, 0)
        .withRemedies(new Remedies(0.3, false, 0.5));
    Run plain = run(c, 8);
    Run collected = run(c, 8, true);
    close(plain.gradWq(), collected.gradWq(), 1e-7, "gradients of layer0.wq");
    close(plain.gradEmb(), collected.gradEmb(), 1e-7, "gradients of tok_emb");
  }
}
