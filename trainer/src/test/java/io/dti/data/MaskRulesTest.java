package io.dti.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.dti.data.SampleBuilder.Interaction;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskRulesTest {

  static List<Interaction> history(Random rng, String user, int m) {
    List<Interaction> out = new ArrayList<>();
    for (int i = 0; i < m; i++) {
      int[] text = new int[1 + rng.nextInt(4)];
      for (int t = 0; t < text.length; t++) {
        text[t] = 6 + rng.nextInt(50);
      }
      out.add(new Interaction(user, "i" + rng.nextInt(100), i, 1000L + i, rng.nextInt(2), text));
    }
    return out;
  }

  static PackedSample randomSample(Random rng) {
    int segments = 1 + rng.nextInt(3);
    int window = rng.nextInt(5);
    List<PackedSample> parts = new ArrayList<>();
    for (int s = 0; s < segments; s++) {
      List<Interaction> h = history(rng, "u" + s, 1 + rng.nextInt(12));
      int ctx = Math.min(window, rng.nextInt(h.size()));
      parts.add(SampleBuilder.build("dti", "train", window, h.subList(0, ctx), h.subList(ctx, h.size())));
    }
    return SampleBuilder.concat(parts);
  }

  /** The four rules, written out literally, independent of MaskRules' implementation. */
  static boolean bruteForce(PackedSample s, int q, int p) {
    boolean causal = p <= q;
    boolean sameSegment = s.segmentIds()[p] == s.segmentIds()[q];
    boolean sumIsolated = s.roles()[p] != TokenRole.SUM.code() || p == q;
    boolean inWindow = s.roles()[p] == TokenRole.BOS.code()
        || (s.interactionIdx()[p] >= s.interactionIdx()[q] - s.window() && s.interactionIdx()[p] <= s.interactionIdx()[q]);
    return causal && sameSegment && sumIsolated && inWindow;
  }

  @Test
  void rulesMatchBruteForceOnRandomMetadata() {
    Random rng = new Random(7);
    for (int trial = 0; trial < 300; trial++) {
      PackedSample s = randomSample(rng);
      s.validate(100);
      long count = 0;
      boolean[][] dense = MaskRules.dense(s);
      for (int q = 0; q < s.numTokens(); q++) {
        for (int p = 0; p < s.numTokens(); p++) {
          boolean expected = bruteForce(s, q, p);
          assertEquals(expected, MaskRules.canAttend(s, q, p), "trial " + trial + " q=" + q + " p=" + p);
          assertEquals(expected, p <= q && dense[q][p]);
          count += expected ? 1 : 0;
        }
      }
      assertEquals(count, MaskRules.allowedPairs(s), "allowed pair count, trial " + trial);
    }
  }

  @Test
  void swPromptIsPlainCausal() {
    Random rng = new Random(3);
    List<Interaction> h = history(rng, "u", 6);
    PackedSample sw = SampleBuilder.build("sw", "test", 5, h.subList(0, 5), h.subList(5, 6));
    for (int q = 0; q < sw.numTokens(); q++) {
      for (int p = 0; p < sw.numTokens(); p++) {
        assertEquals(p <= q, MaskRules.canAttend(sw, q, p));
      }
    }
    long l = sw.numTokens();
    assertEquals(l * (l + 1) / 2, MaskRules.allowedPairs(sw));
  }

  @Test
  void sumTokensAreNeverReadAndOwnLabelComesAfterSum() {
    Random rng = new Random(11);
    List<Interaction> h = history(rng, "u", 10);
    PackedSample dti = SampleBuilder.build("dti", "train", 3, h.subList(0, 3), h.subList(3, 10));
    for (int j = 0; j < dti.numTargets(); j++) {
      int sum = dti.sumPositions()[j];
      for (int q = sum + 1; q < dti.numTokens(); q++) {
        assertFalse(MaskRules.canAttend(dti, q, sum), "token " + q + " reads [SUM] " + sum);
      }
      for (int p : MaskRules.visibleKeys(dti, sum)) {
        boolean ownLabel = dti.roles()[p] == TokenRole.LABEL.code() && dti.interactionIdx()[p] == dti.interactionIdx()[sum];
        assertFalse(ownLabel, "target " + j + " sees its own label");
      }
    }
  }

  /**
   * The DTI invariant at the metadata level: what [SUM]_j reads in a DTI stream is, token for
   * token and with the same relative positions, the whole SW prompt of target j.
   */
  @Test
  void dtiTargetSeesExactlyItsSwPrompt() {
    Random rng = new Random(5);
    for (int trial = 0; trial < 50; trial++) {
      int n = rng.nextInt(6);
      List<Interaction> h = history(rng, "u", 2 + rng.nextInt(20));
      int first = Math.min(h.size() - 1, rng.nextInt(h.size()));
      PackedSample dti = SampleBuilder.build("dti", "train", n, h.subList(Math.max(0, first - n), first), h.subList(first, h.size()));
      for (int j = 0; j < dti.numTargets(); j++) {
        int t = first + j;
        PackedSample sw = SampleBuilder.build("sw", "train", n, h.subList(Math.max(0, t - n), t), h.subList(t, t + 1));
        int sum = dti.sumPositions()[j];
        int[] keys = MaskRules.visibleKeys(dti, sum);
        int[] ids = new int[keys.length];
        int[] rel = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
          ids[i] = dti.inputIds()[keys[i]];
          rel[i] = dti.positionIds()[sum] - dti.positionIds()[keys[i]];
        }
        int swSum = sw.sumPositions()[0];
        int[] swRel = new int[sw.numTokens()];
        for (int i = 0; i < swRel.length; i++) {
          swRel[i] = sw.positionIds()[swSum] - sw.positionIds()[i];
        }
        assertArrayEquals(sw.inputIds(), ids, "trial " + trial + " target " + j);
        // [BOS] (index 0) is the one key whose distance grows along a DTI stream.
        assertArrayEquals(java.util.Arrays.copyOfRange(swRel, 1, swRel.length),
            java.util.Arrays.copyOfRange(rel, 1, rel.length), "relative positions, trial " + trial);
        assertTrue(sw.roles()[0] == TokenRole.BOS.code());
      }
    }
  }

  @Test
  void promptCutOutOfAStreamIsTheSwPrompt() {
    Random rng = new Random(9);
    for (int trial = 0; trial < 30; trial++) {
      int n = rng.nextInt(5);
      List<Interaction> h = history(rng, "u", 2 + rng.nextInt(15));
      int first = rng.nextInt(h.size());
      PackedSample dti = SampleBuilder.build("dti", "train", n, h.subList(Math.max(0, first - n), first), h.subList(first, h.size()));
      for (int j = 0; j < dti.numTargets(); j++) {
        int t = first + j;
        PackedSample sw = SampleBuilder.build("sw", "train", n, h.subList(Math.max(0, t - n), t), h.subList(t, t + 1));
        PackedSample cut = SampleBuilder.promptOf(dti, j);
        assertArrayEquals(sw.inputIds(), cut.inputIds());
        assertArrayEquals(sw.roles(), cut.roles());
        assertArrayEquals(sw.interactionIdx(), cut.interactionIdx());
        assertArrayEquals(sw.positionIds(), cut.positionIds());
        assertArrayEquals(sw.sumPositions(), cut.sumPositions());
        assertArrayEquals(sw.labels(), cut.labels());
      }
    }
  }

  @Test
  void validateNamesTheBrokenField() {
    PackedSample s = SampleBuilder.build("sw", "train", 2, List.of(), List.of(new Interaction("u", "i", 0, 0, 1, new int[] {7})));
    IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> s.validate(7));
    assertTrue(e.getMessage().contains("input_ids[1] = 7"), e.getMessage());
  }
}
