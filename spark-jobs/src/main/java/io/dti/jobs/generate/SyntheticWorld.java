package io.dti.jobs.generate;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The latent world behind the synthetic data: items with a taste vector and a title drawn from
 * word pools tied to their dominant factors, and users whose taste drifts. A label depends on
 * long-term taste and on the last few interactions with their outcomes, so a model that reads
 * the sequence (and its labels) beats one that does not.
 */
final class SyntheticWorld implements Serializable {
  private static final String[] SYLLABLES = {"ka", "lo", "mi", "ra", "ten", "vo", "shi", "dor", "pel", "qua",
      "zen", "bri", "mon", "tal", "fe", "gu", "nix", "sa", "tor", "wy", "el", "an", "os", "ir"};
  private static final int WORDS_PER_FACTOR = 24;

  final int factors;
  final float[][] itemVectors;
  final String[] titles;
  final String[] genres;
  final double[] popularityCdf;
  final String[] factorNames;

  SyntheticWorld(int items, int factors, long seed) {
    this.factors = factors;
    Random rng = new Random(seed);
    factorNames = new String[factors];
    String[][] pools = new String[factors][WORDS_PER_FACTOR];
    java.util.Set<String> used = new java.util.HashSet<>();
    for (int f = 0; f < factors; f++) {
      factorNames[f] = uniqueWord(rng, used, 3);
      for (int w = 0; w < WORDS_PER_FACTOR; w++) {
        pools[f][w] = uniqueWord(rng, used, 2 + rng.nextInt(2));
      }
    }
    itemVectors = new float[items][];
    titles = new String[items];
    genres = new String[items];
    double[] weight = new double[items];
    for (int i = 0; i < items; i++) {
      int f1 = rng.nextInt(factors);
      int f2 = rng.nextInt(factors);
      float[] v = new float[factors];
      for (int f = 0; f < factors; f++) {
        v[f] = (float) (0.15 * rng.nextGaussian());
      }
      v[f1] += 1.0f;
      v[f2] += 0.5f;
      itemVectors[i] = normalize(v);
      int words = 2 + rng.nextInt(3);
      List<String> title = new ArrayList<>();
      for (int w = 0; w < words; w++) {
        int f = w == words - 1 && rng.nextBoolean() ? f2 : f1;
        title.add(capitalize(pools[f][rng.nextInt(WORDS_PER_FACTOR)]));
      }
      titles[i] = String.join(" ", title);
      genres[i] = f1 == f2 ? factorNames[f1] : factorNames[f1] + "|" + factorNames[f2];
      weight[i] = 1.0 / Math.pow(1 + i, 0.8); // Zipf-like popularity, item 1 the most popular
    }
    popularityCdf = new double[items];
    double total = Arrays.stream(weight).sum();
    double acc = 0;
    for (int i = 0; i < items; i++) {
      acc += weight[i] / total;
      popularityCdf[i] = acc;
    }
  }

  int sampleItem(Random rng) {
    int i = Arrays.binarySearch(popularityCdf, rng.nextDouble());
    return Math.min(popularityCdf.length - 1, i >= 0 ? i : -i - 1);
  }

  static float[] normalize(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    float s = (float) (1.0 / Math.max(1e-9, Math.sqrt(norm)));
    for (int i = 0; i < v.length; i++) {
      v[i] *= s;
    }
    return v;
  }

  static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static String uniqueWord(Random rng, java.util.Set<String> used, int syllables) {
    while (true) {
      StringBuilder b = new StringBuilder();
      for (int s = 0; s < syllables; s++) {
        b.append(SYLLABLES[rng.nextInt(SYLLABLES.length)]);
      }
      if (used.add(b.toString())) {
        return b.toString();
      }
      syllables++;
    }
  }

  private static String capitalize(String w) {
    return Character.toUpperCase(w.charAt(0)) + w.substring(1);
  }
}
