package io.dti.jobs.train;

import io.dti.jobs.common.JobConfig;
import io.dti.model.ModelConfig;
import io.dti.model.Remedies;
import io.dti.train.TrainConfig;
import java.util.Locale;

/** The {@code model.*} and {@code train.*} config keys as the trainer's records. */
public final class TrainSettings {
  private TrainSettings() {}

  /** vocabSize is filled in from tokenizer.json by the trainer; 0 here. */
  public static ModelConfig model(JobConfig c) {
    return new ModelConfig(0, c.integer("model.dim"), c.integer("model.layers"), c.integer("model.heads"),
        c.integer("model.mlp-hidden"), ModelConfig.Positions.valueOf(c.string("model.positions").toUpperCase(Locale.ROOT)),
        c.integer("model.max-positions"), c.number("model.rope-theta"), c.integer("model.bos-distance"),
        c.longValue("model.seed"), c.integer("model.attention-block"),
        new Remedies(c.number("model.reset-lambda"), c.flag("model.reset-grows-with-depth"), c.number("model.distance-decay")));
  }

  public static TrainConfig train(JobConfig c) {
    return new TrainConfig(c.integer("train.epochs"), c.integer("train.batch-targets"), c.integer("train.accumulation"),
        c.number("train.learning-rate"), c.number("train.min-lr-ratio"), c.integer("train.warmup-steps"),
        c.number("train.weight-decay"), c.number("train.clip-norm"), c.longValue("train.seed"),
        c.integer("train.checkpoint-every"), c.integer("train.log-every"));
  }
}
