package io.dti.model;

/**
 * Sizes and position scheme of the CTR transformer. The defaults train on 2 CPU cores in
 * minutes; scale dim, layers and heads up on GPUs.
 *
 * @param vocabSize tokens in tokenizer.json
 * @param dim model width
 * @param layers transformer blocks
 * @param heads attention heads (dim must divide by heads)
 * @param mlpHidden SwiGLU hidden width
 * @param positions how positions enter attention
 * @param maxPositions largest position id + 1 (learned absolute positions only)
 * @param ropeTheta RoPE base
 * @param bosDistance with RoPE or ALiBi, every query sees [BOS] at this fixed distance instead of
 *     its real one (which grows along a DTI stream); negative keeps the real distance
 * @param seed parameter initialisation seed
 * @param attentionBlock queries per block of banded attention; 0 = dense masked attention
 * @param remedies hidden-state leakage remedies (R1 state reset, R2 distance decay)
 */
public record ModelConfig(int vocabSize, int dim, int layers, int heads, int mlpHidden, Positions positions,
    int maxPositions, double ropeTheta, int bosDistance, long seed, int attentionBlock, Remedies remedies) implements java.io.Serializable {

  /** Without remedies. */
  public ModelConfig(int vocabSize, int dim, int layers, int heads, int mlpHidden, Positions positions,
      int maxPositions, double ropeTheta, int bosDistance, long seed, int attentionBlock) {
    this(vocabSize, dim, layers, heads, mlpHidden, positions, maxPositions, ropeTheta, bosDistance, seed, attentionBlock,
        Remedies.NONE);
  }

  public enum Positions {
    /** A learned vector per absolute position id, added to the token embedding. */
    LEARNED,
    /** Rotary embeddings of queries and keys: scores depend on position differences only. */
    ROPE,
    /** A per-head linear penalty on distance (ALiBi): no position vectors at all. */
    ALIBI
  }

  public ModelConfig {
    if (remedies == null) {
      remedies = Remedies.NONE;
    }
    if (dim % heads != 0) {
      throw new IllegalArgumentException("model dim " + dim + " must divide by heads " + heads);
    }
    if (positions == Positions.ROPE && (dim / heads) % 2 != 0) {
      throw new IllegalArgumentException("RoPE needs an even head size, got " + dim / heads);
    }
  }

  public ModelConfig withBosDistance(int d) {
    return new ModelConfig(vocabSize, dim, layers, heads, mlpHidden, positions, maxPositions, ropeTheta, d, seed, attentionBlock, remedies);
  }

  public ModelConfig withAttentionBlock(int block) {
    return new ModelConfig(vocabSize, dim, layers, heads, mlpHidden, positions, maxPositions, ropeTheta, bosDistance, seed, block, remedies);
  }

  public ModelConfig withRemedies(Remedies r) {
    return new ModelConfig(vocabSize, dim, layers, heads, mlpHidden, positions, maxPositions, ropeTheta, bosDistance, seed,
        attentionBlock, r);
  }

  public ModelConfig withVocabSize(int v) {
    return new ModelConfig(v, dim, layers, heads, mlpHidden, positions, maxPositions, ropeTheta, bosDistance, seed,
        attentionBlock, remedies);
  }

  public int headDim() {
    return dim / heads;
  }
}
