package io.potions.e2e.chart;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders request latency and failures over time as an SVG: one panel per run (Potions' switches
 * beside the stop/start baseline), on the same scales so they compare at a glance. Pure: data in,
 * text out. Requests are grouped in buckets of {@link #BUCKET_MS}; each panel draws the median and
 * the slowest latency per bucket (log scale), the failed requests per bucket as red bars, and a
 * dashed line where each switch (or restart) began.
 */
public final class LatencyChart {
  /** Width of a time bucket. */
  public static final long BUCKET_MS = 250;
  private static final int PANEL_W = 520;
  private static final int PANEL_H = 260;
  private static final int LEFT = 56;
  private static final int TOP = 48;
  private static final int GAP = 70;
  private static final double MIN_MS = 0.1;
  private static final double MAX_MS = 10_000;

  private LatencyChart() {}

  /**
   * One run to draw.
   *
   * @param title the panel's title
   * @param samples each request: {ms since the start, latency in µs, 1 when it failed}
   * @param marksMillis when each switch began, in ms since the start
   */
  public record Series(String title, List<long[]> samples, List<Long> marksMillis) {}

  /** One bucket's figures. */
  record Bucket(long startMs, int requests, int failed, double p50Ms, double maxMs) {}

  static List<Bucket> buckets(List<long[]> samples, long durationMs) {
    int n = (int) (durationMs / BUCKET_MS) + 1;
    List<List<Long>> latencies = new ArrayList<>();
    int[] failed = new int[n];
    for (int i = 0; i < n; i++) {
      latencies.add(new ArrayList<>());
    }
    for (long[] s : samples) {
      int i = (int) Math.min(n - 1, Math.max(0, s[0] / BUCKET_MS));
      if (s[2] != 0) {
        failed[i]++;
      } else {
        latencies.get(i).add(s[1]);
      }
    }
    List<Bucket> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      List<Long> l = latencies.get(i);
      l.sort(null);
      double p50 = l.isEmpty() ? Double.NaN : l.get((l.size() - 1) / 2) / 1000.0;
      double max = l.isEmpty() ? Double.NaN : l.get(l.size() - 1) / 1000.0;
      out.add(new Bucket(i * BUCKET_MS, l.size() + failed[i], failed[i], p50, max));
    }
    return out;
  }

  /**
   * @param caption the chart's caption (what was measured, where)
   * @param series the runs, drawn left to right
   * @return the SVG document
   */
  public static String render(String caption, List<Series> series) {
    long duration = 1;
    int maxFailed = 1;
    List<List<Bucket>> all = new ArrayList<>();
    for (Series s : series) {
      for (long[] sample : s.samples()) {
        duration = Math.max(duration, sample[0]);
      }
    }
    for (Series s : series) {
      List<Bucket> b = buckets(s.samples(), duration);
      all.add(b);
      for (Bucket bucket : b) {
        maxFailed = Math.max(maxFailed, bucket.failed());
      }
    }
    int width = LEFT + series.size() * (PANEL_W + GAP);
    int height = TOP + PANEL_H + 70;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
        + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", width, height, width, height));
    svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", width, height));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s</text>%n",
        LEFT, escape(caption)));
    for (int p = 0; p < series.size(); p++) {
      panel(svg, LEFT + p * (PANEL_W + GAP), series.get(p), all.get(p), duration, maxFailed);
    }
    int ly = TOP + PANEL_H + 50;
    svg.append(String.format(Locale.ROOT, "<g font-size=\"11\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1f5fbf\" "
        + "stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">median latency</text>", LEFT, ly, LEFT + 24, ly, LEFT + 30, ly + 4));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#9bb7e0\" stroke-width=\"1\"/>"
        + "<text x=\"%d\" y=\"%d\">slowest request</text>", LEFT + 140, ly, LEFT + 164, ly, LEFT + 170, ly + 4));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"10\" fill=\"#d62828\"/>"
        + "<text x=\"%d\" y=\"%d\">failed requests per %d ms (right axis)</text>", LEFT + 290, ly - 6, LEFT + 305, ly + 4, BUCKET_MS));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#555\" stroke-dasharray=\"4 3\"/>"
        + "<text x=\"%d\" y=\"%d\">a switch begins</text></g>%n", LEFT + 560, ly - 8, LEFT + 560, ly + 6, LEFT + 566, ly + 4));
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void panel(StringBuilder svg, int x0, Series s, List<Bucket> buckets, long duration, int maxFailed) {
    int y0 = TOP;
    long failed = s.samples().stream().filter(r -> r[2] != 0).count();
    svg.append(String.format(Locale.ROOT, "<g class=\"panel\"><text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s: %d requests, %d failed</text>%n",
        x0, y0 - 10, escape(s.title()), s.samples().size(), failed));
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f7f8fb\" stroke=\"#c8ccd6\"/>%n",
        x0, y0, PANEL_W, PANEL_H));
    for (double ms : new double[] {0.1, 1, 10, 100, 1000, 10000}) {
      double y = yLatency(ms, y0);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e3e6ee\"/>"
          + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" font-size=\"10\">%s ms</text>%n",
          x0, y, x0 + PANEL_W, y, x0 - 4, y + 3, ms < 1 ? "0.1" : String.format(Locale.ROOT, "%.0f", ms)));
    }
    for (long sec = 0; sec * 1000 <= duration; sec += Math.max(1, duration / 1000 / 8)) {
      double x = xTime(sec * 1000, x0, duration);
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" font-size=\"10\">%d s</text>%n",
          x, y0 + PANEL_H + 14, sec));
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" font-size=\"10\" fill=\"#d62828\">max %d failed</text>%n",
        x0 + PANEL_W, y0 + PANEL_H + 28, maxFailed));
    for (long mark : s.marksMillis()) {
      double x = xTime(mark, x0, duration);
      svg.append(String.format(Locale.ROOT, "<line class=\"switch\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#555\" "
          + "stroke-dasharray=\"4 3\"/>%n", x, y0, x, y0 + PANEL_H));
    }
    double barW = Math.max(1, PANEL_W * (double) BUCKET_MS / duration);
    for (Bucket b : buckets) {
      if (b.failed() > 0) {
        double h = PANEL_H * 0.9 * b.failed() / maxFailed;
        svg.append(String.format(Locale.ROOT, "<rect class=\"failed\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
            + "fill=\"#d62828\" fill-opacity=\"0.8\"><title>%d failed</title></rect>%n",
            xTime(b.startMs(), x0, duration), y0 + PANEL_H - h, barW, h, b.failed()));
      }
    }
    svg.append(polyline(buckets, x0, y0, duration, true, "#9bb7e0", 1));
    svg.append(polyline(buckets, x0, y0, duration, false, "#1f5fbf", 2));
    svg.append("</g>\n");
  }

  private static String polyline(List<Bucket> buckets, int x0, int y0, long duration, boolean max, String color, int width) {
    StringBuilder points = new StringBuilder();
    for (Bucket b : buckets) {
      double ms = max ? b.maxMs() : b.p50Ms();
      if (!Double.isNaN(ms)) {
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", xTime(b.startMs() + BUCKET_MS / 2, x0, duration), yLatency(ms, y0)));
      }
    }
    return String.format(Locale.ROOT, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"%d\" points=\"%s\"/>%n",
        max ? "max" : "median", color, width, points.toString().trim());
  }

  private static double xTime(long ms, int x0, long duration) {
    return x0 + PANEL_W * Math.min(1.0, (double) ms / duration);
  }

  private static double yLatency(double ms, int y0) {
    double clamped = Math.max(MIN_MS, Math.min(MAX_MS, ms));
    double f = (Math.log10(clamped) - Math.log10(MIN_MS)) / (Math.log10(MAX_MS) - Math.log10(MIN_MS));
    return y0 + PANEL_H * (1 - f);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
