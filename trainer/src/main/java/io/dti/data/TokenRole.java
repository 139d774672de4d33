package io.dti.data;

/** What a token is, per position of a packed sample; the mask rules read it. Stored as a byte. */
public enum TokenRole {
  /** The leading [BOS] (or instruction prefix): visible to every token of its segment. */
  BOS,
  /** Item text of an interaction, T(x). */
  TEXT,
  /** A target's [SUM] token: the CTR head reads its hidden state; no other token reads it. */
  SUM,
  /** The label token L(y) of an interaction: context for later targets, never for its own [SUM]. */
  LABEL;

  public byte code() {
    return (byte) ordinal();
  }

  public static TokenRole of(int code) {
    TokenRole[] all = values();
    if (code < 0 || code >= all.length) {
      throw new IllegalArgumentException("unknown token role code " + code);
    }
    return all[code];
  }
}
