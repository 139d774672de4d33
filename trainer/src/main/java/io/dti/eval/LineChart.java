package io.dti.eval;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/** A small PNG line chart: several named series, an optional shaded horizontal band (headless AWT). */
public final class LineChart {
  public record Series(String name, double[] x, double[] y) {}

  private static final Color[] PALETTE = {new Color(20, 60, 170), new Color(200, 60, 40), new Color(30, 140, 60),
      new Color(150, 70, 170), new Color(220, 140, 20), new Color(60, 60, 60)};

  private final String title;
  private final String xLabel;
  private final String yLabel;
  private final List<Series> series = new ArrayList<>();
  private double[] band;
  private String bandName;

  public LineChart(String title, String xLabel, String yLabel) {
    this.title = title;
    this.xLabel = xLabel;
    this.yLabel = yLabel;
  }

  public LineChart add(Series s) {
    series.add(s);
    return this;
  }

  /** A shaded band from lo to hi across the whole x range (e.g. a baseline's mean +- spread). */
  public LineChart band(String name, double lo, double hi) {
    this.band = new double[] {lo, hi};
    this.bandName = name;
    return this;
  }

  public void write(File png) throws IOException {
    try (java.io.OutputStream out = new java.io.FileOutputStream(png)) {
      write(out);
    }
  }

  public void write(java.io.OutputStream png) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int w = 820;
    int h = 500;
    int left = 80;
    int right = 190;
    int top = 40;
    int bottom = 55;
    double minX = Double.MAX_VALUE;
    double maxX = -Double.MAX_VALUE;
    double minY = Double.MAX_VALUE;
    double maxY = -Double.MAX_VALUE;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isFinite(s.y()[i])) {
          minX = Math.min(minX, s.x()[i]);
          maxX = Math.max(maxX, s.x()[i]);
          minY = Math.min(minY, s.y()[i]);
          maxY = Math.max(maxY, s.y()[i]);
        }
      }
    }
    if (band != null) {
      minY = Math.min(minY, band[0]);
      maxY = Math.max(maxY, band[1]);
    }
    if (minX > maxX) {
      minX = 0;
      maxX = 1;
      minY = 0;
      maxY = 1;
    }
    if (maxX - minX < 1e-12) {
      maxX = minX + 1;
    }
    double pad = Math.max(1e-6, (maxY - minY) * 0.08);
    minY -= pad;
    maxY += pad;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    int pw = w - left - right;
    int ph = h - top - bottom;
    final double x0 = minX;
    final double x1 = maxX;
    final double y0 = minY;
    final double y1 = maxY;
    java.util.function.DoubleUnaryOperator px = x -> left + (x - x0) / (x1 - x0) * pw;
    java.util.function.DoubleUnaryOperator py = y -> top + ph - (y - y0) / (y1 - y0) * ph;
    if (band != null) {
      g.setColor(new Color(220, 220, 220));
      int yb = (int) py.applyAsDouble(band[1]);
      int ya = (int) py.applyAsDouble(band[0]);
      g.fillRect(left, yb, pw, Math.max(1, ya - yb));
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, pw, ph);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, left, 25);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (int i = 0; i <= 4; i++) {
      double yv = y0 + (y1 - y0) * i / 4;
      g.drawString(String.format("%.4g", yv), 5, (int) py.applyAsDouble(yv) + 4);
      double xv = x0 + (x1 - x0) * i / 4;
      g.drawString(String.format("%.4g", xv), (int) px.applyAsDouble(xv) - 10, top + ph + 18);
    }
    g.drawString(xLabel, left + pw / 2 - 20, h - 12);
    g.drawString(yLabel, 5, top - 8);
    int legendY = top + 10;
    for (int si = 0; si < series.size(); si++) {
      Series s = series.get(si);
      g.setColor(PALETTE[si % PALETTE.length]);
      g.setStroke(new BasicStroke(s.x().length > 60 && si == 0 ? 1f : 2f));
      int prevX = -1;
      int prevY = -1;
      for (int i = 0; i < s.x().length; i++) {
        if (!Double.isFinite(s.y()[i])) {
          continue;
        }
        int x = (int) px.applyAsDouble(s.x()[i]);
        int y = (int) py.applyAsDouble(s.y()[i]);
        if (s.x().length <= 60) {
          g.fillOval(x - 3, y - 3, 6, 6);
        }
        if (prevX >= 0) {
          g.drawLine(prevX, prevY, x, y);
        }
        prevX = x;
        prevY = y;
      }
      g.drawLine(left + pw + 15, legendY, left + pw + 35, legendY);
      g.setColor(Color.BLACK);
      g.drawString(s.name(), left + pw + 40, legendY + 4);
      legendY += 18;
    }
    if (band != null) {
      g.setColor(new Color(200, 200, 200));
      g.fillRect(left + pw + 15, legendY - 5, 20, 10);
      g.setColor(Color.BLACK);
      g.drawString(bandName, left + pw + 40, legendY + 4);
    }
    g.dispose();
    if (!ImageIO.write(img, "png", png)) {
      throw new IOException("no PNG writer in this JVM");
    }
  }
}
