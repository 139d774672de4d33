package io.dti.data;

import java.util.List;

/**
 * The special tokens and their fixed ids. The tokenizer job writes them first, in this order,
 * so ids 0..5 mean the same thing in every vocabulary the project builds.
 */
public final class SpecialTokens {
  private SpecialTokens() {}

  public static final String PAD = "[PAD]";
  public static final String UNK = "[UNK]";
  public static final String BOS = "[BOS]";
  public static final String SUM = "[SUM]";
  /** Label words L(y): what a context interaction says about its outcome. */
  public static final String POSITIVE = "[LIKED]";
  public static final String NEGATIVE = "[DISLIKED]";

  public static final List<String> ALL = List.of(PAD, UNK, BOS, SUM, POSITIVE, NEGATIVE);

  public static final int PAD_ID = 0;
  public static final int UNK_ID = 1;
  public static final int BOS_ID = 2;
  public static final int SUM_ID = 3;
  public static final int POSITIVE_ID = 4;
  public static final int NEGATIVE_ID = 5;

  /** Prefix of the optional one-token-per-item vocabulary entries, e.g. {@code [ITEM_42]}. */
  public static final String ITEM_TOKEN_PREFIX = "[ITEM_";

  public static String itemToken(String itemId) {
    return ITEM_TOKEN_PREFIX + itemId + "]";
  }

  public static int labelTokenId(int label) {
    if (label != 0 && label != 1) {
      throw new IllegalArgumentException("label must be 0 or 1, got " + label);
    }
    return label == 1 ? POSITIVE_ID : NEGATIVE_ID;
  }
}
