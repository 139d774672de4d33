package io.dti.train;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.util.List;
import javax.imageio.ImageIO;

/** A PNG line chart of training loss by step (headless AWT, no extra dependency). */
public final class LossCurve {
  private LossCurve() {}

  public static void write(File png, String title, List<double[]> points) throws IOException {
    System.setProperty("java.awt.headless", "true");
    int w = 800;
    int h = 480;
    int left = 70;
    int right = 20;
    int top = 40;
    int bottom = 50;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, w, h);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
    g.drawString(title, left, 25);
    if (points.isEmpty()) {
      ImageIO.write(img, "png", png);
      return;
    }
    double minX = points.get(0)[0];
    double maxX = Math.max(minX + 1, points.get(points.size() - 1)[0]);
    double minY = points.stream().mapToDouble(p -> p[1]).min().orElse(0);
    double maxY = points.stream().mapToDouble(p -> p[1]).max().orElse(1);
    if (maxY - minY < 1e-9) {
      maxY = minY + 1;
    }
    int pw = w - left - right;
    int ph = h - top - bottom;
    g.drawRect(left, top, pw, ph);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (int i = 0; i <= 4; i++) {
      double y = minY + (maxY - minY) * i / 4;
      int py = top + ph - (int) (ph * i / 4.0);
      g.drawString(String.format("%.3f", y), 5, py + 4);
      double x = minX + (maxX - minX) * i / 4;
      g.drawString(String.format("%.0f", x), left + (int) (pw * i / 4.0) - 10, top + ph + 18);
    }
    g.drawString("step", left + pw / 2, h - 10);
    // Raw per-step loss in a light colour, a moving average over ~2% of the run on top.
    int window = Math.max(1, points.size() / 50);
    double[] smooth = new double[points.size()];
    double acc = 0;
    for (int i = 0; i < points.size(); i++) {
      acc += points.get(i)[1];
      if (i >= window) {
        acc -= points.get(i - window)[1];
      }
      smooth[i] = acc / Math.min(i + 1, window);
    }
    g.setStroke(new BasicStroke(1f));
    g.setColor(new Color(170, 195, 235));
    line(g, points, null, minX, maxX, minY, maxY, left, top, pw, ph);
    g.setStroke(new BasicStroke(2.5f));
    g.setColor(new Color(20, 60, 170));
    line(g, points, smooth, minX, maxX, minY, maxY, left, top, pw, ph);
    g.drawString("moving average over " + window + " steps", left + pw - 220, top + 15);
    g.dispose();
    ImageIO.write(img, "png", png);
  }

  private static void line(Graphics2D g, List<double[]> points, double[] ys, double minX, double maxX, double minY,
      double maxY, int left, int top, int pw, int ph) {
    int prevX = -1;
    int prevY = -1;
    for (int i = 0; i < points.size(); i++) {
      double yv = ys == null ? points.get(i)[1] : ys[i];
      int x = left + (int) ((points.get(i)[0] - minX) / (maxX - minX) * pw);
      int y = top + ph - (int) ((yv - minY) / (maxY - minY) * ph);
      if (prevX >= 0) {
        g.drawLine(prevX, prevY, x, y);
      }
      prevX = x;
      prevY = y;
    }
  }
}
