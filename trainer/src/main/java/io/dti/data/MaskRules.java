package io.dti.data;

/**
 * The attention rules of docs/dti-method.md, read off a sample's metadata. Query token q may
 * read key token p iff all hold:
 * <ol>
 *   <li>p &lt;= q (causal);</li>
 *   <li>role(p) = bos, or I(q) - n &lt;= I(p) &lt;= I(q) (its own interaction and the n before it);</li>
 *   <li>role(p) != sum unless p = q ([SUM] isolation);</li>
 *   <li>p and q are in the same segment (multi-user packing).</li>
 * </ol>
 * For a SW prompt (one target, at most n context interactions) these reduce to plain causal
 * attention. The trainer builds its masks from this class; the packer uses it for cost figures.
 */
public final class MaskRules {
  private MaskRules() {}

  public static boolean canAttend(PackedSample s, int q, int p) {
    if (p > q) {
      return false;
    }
    if (s.segmentIds()[p] != s.segmentIds()[q]) {
      return false;
    }
    int roleP = s.roles()[p];
    if (roleP == TokenRole.SUM.code() && p != q) {
      return false;
    }
    if (roleP == TokenRole.BOS.code()) {
      return true;
    }
    int iq = s.interactionIdx()[q];
    int ip = s.interactionIdx()[p];
    return ip >= iq - s.window() && ip <= iq;
  }

  /** Token indices that query q may read, in order. */
  public static int[] visibleKeys(PackedSample s, int q) {
    return java.util.stream.IntStream.rangeClosed(0, q).filter(p -> canAttend(s, q, p)).toArray();
  }

  /**
   * Number of allowed (query, key) pairs: what banded attention computes, against
   * L(L+1)/2 for dense causal attention. O(L) with prefix counts, since a query's keys
   * other than [BOS] form one contiguous token range minus the [SUM] tokens in it.
   */
  public static long allowedPairs(PackedSample s) {
    int n = s.numTokens();
    int[] nonSumBefore = new int[n + 1]; // non-[SUM], non-[BOS] tokens in [0, i)
    for (int i = 0; i < n; i++) {
      int r = s.roles()[i];
      nonSumBefore[i + 1] = nonSumBefore[i] + (r == TokenRole.SUM.code() || r == TokenRole.BOS.code() ? 0 : 1);
    }
    // firstToken[segment start + interaction] is found by walking back; tokens are laid out in
    // nondecreasing interaction order within a segment, so a moving pointer suffices.
    long pairs = 0;
    int segStart = 0;
    int lo = 0;
    for (int q = 0; q < n; q++) {
      if (q > 0 && s.segmentIds()[q] != s.segmentIds()[q - 1]) {
        segStart = q;
        lo = q;
      }
      int iq = s.interactionIdx()[q];
      if (s.roles()[q] == TokenRole.BOS.code()) {
        pairs += 1;
        continue;
      }
      while (lo < q && (s.roles()[lo] == TokenRole.BOS.code() || s.interactionIdx()[lo] < iq - s.window())) {
        lo++;
      }
      boolean hasBos = s.roles()[segStart] == TokenRole.BOS.code();
      int keys = nonSumBefore[q] - nonSumBefore[lo] + 1 + (hasBos ? 1 : 0);
      pairs += keys;
    }
    return pairs;
  }

  /** Dense L x L boolean mask, row = query: the reference for tests and small models. */
  public static boolean[][] dense(PackedSample s) {
    int n = s.numTokens();
    boolean[][] m = new boolean[n][n];
    for (int q = 0; q < n; q++) {
      for (int p = 0; p <= q; p++) {
        m[q][p] = canAttend(s, q, p);
      }
    }
    return m;
  }
}
