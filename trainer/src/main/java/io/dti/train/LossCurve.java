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
    g.setColor(new Color(30, 90, 200));
    g.setStroke(new BasicStroke(1.5f));
    int prevX = -1;
    int prevY = -1;
    for (double[] p : points) {
      int x = left + (int) ((p[0] - minX) / (maxX - minX) * pw);
      int y = top + ph - (int) ((p[1] - minY) / (maxY - minY) * ph);
      if (prevX >= 0) {
        g.drawLine(prevX, prevY, x, y);
      }
      prevX = x;
      prevY = y;
    }
    g.dispose();
    ImageIO.write(img, "png", png);
  }
}
