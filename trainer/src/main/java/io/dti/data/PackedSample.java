package io.dti.data;

/**
 * One row of {@link SampleSchema}, in memory. Arrays are owned by the sample: do not mutate.
 * Token arrays have {@code numTokens()} entries; target arrays have {@code numTargets()}.
 */
public record PackedSample(
    String paradigm,
    String split,
    String userId,
    long firstTargetSeq,
    long firstTargetTs,
    int window,
    int[] inputIds,
    int[] interactionIdx,
    int[] roles,
    int[] positionIds,
    int[] segmentIds,
    int[] sumPositions,
    int[] labels,
    String[] targetUsers,
    String[] targetItems,
    long[] targetSeqs,
    long[] targetTs) {

  public int numTokens() {
    return inputIds.length;
  }

  public int numTargets() {
    return sumPositions.length;
  }

  public TokenRole role(int token) {
    return TokenRole.of(roles[token]);
  }

  /** Checks the invariants a reader relies on; the message names the broken field. */
  public void validate(int vocabSize) {
    int n = inputIds.length;
    requireLength(INTERACTION, interactionIdx.length, n);
    requireLength("roles", roles.length, n);
    requireLength("position_ids", positionIds.length, n);
    requireLength("segment_ids", segmentIds.length, n);
    int t = sumPositions.length;
    if (t == 0) {
      throw new IllegalArgumentException("sum_positions: sample has no [SUM] token (no target)");
    }
    requireLength("labels", labels.length, t);
    requireLength("target_items", targetItems.length, t);
    for (int i = 0; i < n; i++) {
      if (inputIds[i] < 0 || inputIds[i] >= vocabSize) {
        throw new IllegalArgumentException("input_ids[" + i + "] = " + inputIds[i]
            + " is outside the vocabulary of size " + vocabSize);
      }
      TokenRole.of(roles[i]);
    }
    for (int j = 0; j < t; j++) {
      int p = sumPositions[j];
      if (p < 0 || p >= n || roles[p] != TokenRole.SUM.code() || inputIds[p] != SpecialTokens.SUM_ID) {
        throw new IllegalArgumentException("sum_positions[" + j + "] = " + p + " is not a [SUM] token");
      }
      if (labels[j] != 0 && labels[j] != 1) {
        throw new IllegalArgumentException("labels[" + j + "] = " + labels[j] + " is not 0 or 1");
      }
    }
  }

  private static final String INTERACTION = "interaction_idx";

  private static void requireLength(String field, int actual, int expected) {
    if (actual != expected) {
      throw new IllegalArgumentException(field + " has " + actual + " entries, expected " + expected);
    }
  }
}
