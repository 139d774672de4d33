package io.dti.jobs.prepare;

import java.util.ArrayList;
import java.util.List;

/** Splits one delimited line, honouring quotes ("" and \" inside a quoted field are a quote). */
final class Csv {
  private Csv() {}

  static String[] split(String line, String separator, char quote) throws Reject {
    if (separator.length() > 1) {
      return line.split(java.util.regex.Pattern.quote(separator), -1);
    }
    char sep = separator.charAt(0);
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '\\' && i + 1 < line.length() && line.charAt(i + 1) == quote) {
          cur.append(quote);
          i++;
        } else if (c == quote && i + 1 < line.length() && line.charAt(i + 1) == quote) {
          cur.append(quote);
          i++;
        } else if (c == quote) {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == quote && cur.length() == 0) {
        quoted = true;
      } else if (c == sep) {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    if (quoted) {
      throw new Reject("unbalanced quote");
    }
    out.add(cur.toString());
    return out.toArray(new String[0]);
  }

  static String[] expect(String[] fields, int n) throws Reject {
    if (fields.length != n) {
      throw new Reject("expected " + n + " fields, found " + fields.length);
    }
    return fields;
  }

  static String[] atLeast(String[] fields, int n) throws Reject {
    if (fields.length < n) {
      throw new Reject("expected at least " + n + " fields, found " + fields.length);
    }
    return fields;
  }
}
