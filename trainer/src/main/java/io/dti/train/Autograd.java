package io.dti.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * Backward passes on any thread. PyTorch's grad mode is per thread, but DJL's
 * GradientCollector allows one collector in the whole process, which rules out one replica per
 * thread; this does what it does (grad mode on, backward with ones, grad mode back), per thread.
 * Weight updates run under {@link #noGrad} so they never join a graph, whatever mode the
 * calling thread was left in.
 */
final class Autograd {
  private Autograd() {}

  /** Builds the loss with grad mode on, then back-propagates it into the weights' gradients. */
  static NDArray backward(Supplier<NDArray> loss) {
    boolean before = JniUtils.isGradMode();
    JniUtils.setGradMode(true);
    try {
      NDArray l = loss.get();
      try (NDArray ones = l.onesLike()) {
        JniUtils.backward((PtNDArray) l, (PtNDArray) ones, false, false);
      }
      return l;
    } finally {
      JniUtils.setGradMode(before);
    }
  }

  static <T> T noGrad(Supplier<T> work) {
    boolean before = JniUtils.isGradMode();
    JniUtils.setGradMode(false);
    try {
      return work.get();
    } finally {
      JniUtils.setGradMode(before);
    }
  }
}
