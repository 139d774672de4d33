package io.dti.data;

import java.util.ArrayList;
import java.util.List;

/**
 * Lays out packed samples, token by token, as in docs/dti-method.md:
 *
 * <pre>
 *   SW : [BOS] ctx(x_{t-n}) .. ctx(x_{t-1})  T(x_t) [SUM]
 *   DTI: [BOS] ctx(x_{s-n}) .. ctx(x_{s-1})  T(x_s) [SUM] L(y_s)  T(x_{s+1}) [SUM] L(y_{s+1}) .. T(x_{s+k-1}) [SUM]
 *        with ctx(x) = T(x) L(y)
 * </pre>
 *
 * The last target's label is not stored: no token could read it. A SW prompt is therefore the
 * DTI layout with one target, which keeps one code path for both paradigms.
 *
 * <p>Position ids: [BOS] is 0, each text token takes the next id, and the label token after a
 * text takes the id that follows it. A [SUM] takes that same id (it sits where the label will
 * be), so it occupies no position for anyone else and a target sees the same relative distances
 * in a DTI stream as in its SW prompt.
 */
public final class SampleBuilder {
  private SampleBuilder() {}

  /** One interaction, its item text already tokenized and truncated to the token budget. */
  public record Interaction(String userId, String itemId, long seq, long ts, int label, int[] textTokens) {}

  /** One segment: [BOS], {@code context} as ctx(x), then {@code targets} each with a [SUM]. */
  public static PackedSample build(
      String paradigm, String split, int window, List<Interaction> context, List<Interaction> targets) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("a sample needs at least one target");
    }
    if (context.size() > window) {
      throw new IllegalArgumentException("context of " + context.size() + " interactions exceeds window " + window);
    }
    Tokens t = new Tokens();
    t.add(SpecialTokens.BOS_ID, -1, TokenRole.BOS, 0);
    int pos = 1;
    int idx = 0;
    for (Interaction c : context) {
      for (int tok : c.textTokens()) {
        t.add(tok, idx, TokenRole.TEXT, pos++);
      }
      t.add(SpecialTokens.labelTokenId(c.label()), idx, TokenRole.LABEL, pos++);
      idx++;
    }
    int k = targets.size();
    int[] sums = new int[k];
    int[] labels = new int[k];
    String[] users = new String[k];
    String[] items = new String[k];
    long[] seqs = new long[k];
    long[] ts = new long[k];
    for (int j = 0; j < k; j++) {
      Interaction x = targets.get(j);
      for (int tok : x.textTokens()) {
        t.add(tok, idx, TokenRole.TEXT, pos++);
      }
      sums[j] = t.size();
      t.add(SpecialTokens.SUM_ID, idx, TokenRole.SUM, pos);
      if (j < k - 1) {
        t.add(SpecialTokens.labelTokenId(x.label()), idx, TokenRole.LABEL, pos);
      }
      pos++;
      idx++;
      labels[j] = x.label();
      users[j] = x.userId();
      items[j] = x.itemId();
      seqs[j] = x.seq();
      ts[j] = x.ts();
    }
    Interaction first = targets.get(0);
    return new PackedSample(paradigm, split, first.userId(), first.seq(), first.ts(), window,
        t.ids(), t.interactions(), t.roles(), t.positions(), new int[t.size()], sums, labels,
        users, items, seqs, ts);
  }

  /**
   * Multi-user packing: concatenates segments into one row. Segment ids keep them apart
   * (mask rule 4); position ids and interaction indices already restart per segment.
   */
  public static PackedSample concat(List<PackedSample> segments) {
    if (segments.size() == 1) {
      return segments.get(0);
    }
    PackedSample head = segments.get(0);
    int tokens = 0;
    int targets = 0;
    for (PackedSample s : segments) {
      if (!s.split().equals(head.split()) || !s.paradigm().equals(head.paradigm()) || s.window() != head.window()) {
        throw new IllegalArgumentException("cannot pack segments of different split, paradigm or window");
      }
      tokens += s.numTokens();
      targets += s.numTargets();
    }
    int[] ids = new int[tokens], inter = new int[tokens], roles = new int[tokens], pos = new int[tokens], seg = new int[tokens];
    int[] sums = new int[targets], labels = new int[targets];
    String[] users = new String[targets], items = new String[targets];
    long[] seqs = new long[targets], ts = new long[targets];
    int to = 0;
    int go = 0;
    for (int s = 0; s < segments.size(); s++) {
      PackedSample x = segments.get(s);
      int n = x.numTokens();
      System.arraycopy(x.inputIds(), 0, ids, to, n);
      System.arraycopy(x.interactionIdx(), 0, inter, to, n);
      System.arraycopy(x.roles(), 0, roles, to, n);
      System.arraycopy(x.positionIds(), 0, pos, to, n);
      java.util.Arrays.fill(seg, to, to + n, s);
      int m = x.numTargets();
      for (int j = 0; j < m; j++) {
        sums[go + j] = x.sumPositions()[j] + to;
      }
      System.arraycopy(x.labels(), 0, labels, go, m);
      System.arraycopy(x.targetUsers(), 0, users, go, m);
      System.arraycopy(x.targetItems(), 0, items, go, m);
      System.arraycopy(x.targetSeqs(), 0, seqs, go, m);
      System.arraycopy(x.targetTs(), 0, ts, go, m);
      to += n;
      go += m;
    }
    return new PackedSample(head.paradigm(), head.split(), head.userId(), head.firstTargetSeq(),
        head.firstTargetTs(), head.window(), ids, inter, roles, pos, seg, sums, labels, users, items, seqs, ts);
  }

  /**
   * The SW prompt of target j of a DTI stream, cut out of the stream itself: exactly the tokens
   * its [SUM] may read under the mask, renumbered as {@link #build} numbers a SW prompt. The
   * leakage meter scores a target both ways with it.
   */
  public static PackedSample promptOf(PackedSample dti, int j) {
    int sum = dti.sumPositions()[j];
    int[] keys = MaskRules.visibleKeys(dti, sum);
    int n = keys.length;
    int firstInteraction = Integer.MAX_VALUE;
    int firstPosition = Integer.MAX_VALUE;
    for (int p : keys) {
      if (dti.roles()[p] != TokenRole.BOS.code()) {
        firstInteraction = Math.min(firstInteraction, dti.interactionIdx()[p]);
        firstPosition = Math.min(firstPosition, dti.positionIds()[p]);
      }
    }
    int[] ids = new int[n], inter = new int[n], roles = new int[n], pos = new int[n];
    for (int i = 0; i < n; i++) {
      int p = keys[i];
      ids[i] = dti.inputIds()[p];
      roles[i] = dti.roles()[p];
      boolean bos = roles[i] == TokenRole.BOS.code();
      inter[i] = bos ? -1 : dti.interactionIdx()[p] - firstInteraction;
      pos[i] = bos ? 0 : dti.positionIds()[p] - firstPosition + 1;
    }
    return new PackedSample(SampleSchema.PARADIGM_SW, dti.split(), dti.targetUsers()[j], dti.targetSeqs()[j],
        dti.targetTs()[j], dti.window(), ids, inter, roles, pos, new int[n], new int[] {n - 1},
        new int[] {dti.labels()[j]}, new String[] {dti.targetUsers()[j]}, new String[] {dti.targetItems()[j]},
        new long[] {dti.targetSeqs()[j]}, new long[] {dti.targetTs()[j]});
  }

  /** Growable parallel int arrays for the per-token columns. */
  private static final class Tokens {
    private final List<int[]> rows = new ArrayList<>();

    void add(int id, int interaction, TokenRole role, int position) {
      rows.add(new int[] {id, interaction, role.code(), position});
    }

    int size() {
      return rows.size();
    }

    private int[] column(int c) {
      int[] out = new int[rows.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = rows.get(i)[c];
      }
      return out;
    }

    int[] ids() { return column(0); }
    int[] interactions() { return column(1); }
    int[] roles() { return column(2); }
    int[] positions() { return column(3); }
  }
}
