package io.dti.data;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/** Reads the vocabulary size of a tokenizer.json (any Hadoop path) and checks the fixed special-token ids. */
public final class Vocabulary {
  private Vocabulary() {}

  public static int size(String tokenizerJson, Configuration hadoop) {
    Path p = new Path(tokenizerJson);
    try (Reader r = new InputStreamReader(p.getFileSystem(hadoop).open(p), StandardCharsets.UTF_8)) {
      JsonObject vocab = JsonParser.parseReader(r).getAsJsonObject().getAsJsonObject("model").getAsJsonObject("vocab");
      for (int id = 0; id < SpecialTokens.ALL.size(); id++) {
        String token = SpecialTokens.ALL.get(id);
        if (!vocab.has(token) || vocab.get(token).getAsInt() != id) {
          throw new IllegalArgumentException(tokenizerJson + ": special token " + token + " must have id " + id);
        }
      }
      return vocab.size();
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
    }
  }
}
