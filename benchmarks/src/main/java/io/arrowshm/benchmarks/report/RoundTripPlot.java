package io.arrowshm.benchmarks.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * {@code roundtrip.png}: p50/p95/p99 of every ping-pong case as horizontal bars on a log axis
 * (raw bounds and pyshmem differ by orders of magnitude). Drawn with java.awt in headless mode,
 * so the plot needs no Python plotting package.
 */
public final class RoundTripPlot {
    private static final int WIDTH = 1100;
    private static final int LEFT = 260;
    private static final int RIGHT = 40;
    private static final int TOP = 80;
    private static final int ROW = 66;
    private static final int BAR = 16;
    private static final Color[] COLORS = {new Color(0x2b6cb0), new Color(0xdd6b20), new Color(0xc53030)};
    private static final String[] LABELS = {"p50", "p95", "p99"};

    private RoundTripPlot() {
    }

    public static void write(List<RoundTrip> roundTrips, String title, Path file) throws IOException {
        int height = TOP + Math.max(1, roundTrips.size()) * ROW + 60;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            draw(g, roundTrips, title, height);
        } finally {
            g.dispose();
        }
        ImageIO.write(image, "png", file.toFile());
    }

    private static void draw(Graphics2D g, List<RoundTrip> roundTrips, String title, int height) {
        double lo = Double.MAX_VALUE;
        double hi = 0;
        for (RoundTrip r : roundTrips) {
            lo = Math.min(lo, r.p50Ns() / 1e3);
            hi = Math.max(hi, r.p99Ns() / 1e3);
        }
        if (roundTrips.isEmpty()) {
            lo = 1;
            hi = 10;
        }
        double minDecade = Math.floor(Math.log10(Math.max(lo, 1e-3)));
        double maxDecade = Math.ceil(Math.log10(Math.max(hi, lo * 10)));
        int plotWidth = WIDTH - LEFT - RIGHT;
        int bottom = TOP + roundTrips.size() * ROW;

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, 20, 28);
        legend(g);

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (double decade = minDecade; decade <= maxDecade; decade++) {
            for (int mantissa : new int[] {1, 2, 5}) {
                double value = mantissa * Math.pow(10, decade);
                if (Math.log10(value) > maxDecade + 1e-9) {
                    break;
                }
                int x = LEFT + (int) Math.round((Math.log10(value) - minDecade) / (maxDecade - minDecade) * plotWidth);
                g.setColor(mantissa == 1 ? new Color(0xbbbbbb) : new Color(0xe6e6e6));
                g.drawLine(x, TOP - 8, x, bottom);
                g.setColor(Color.DARK_GRAY);
                g.drawString(tick(value), x - 12, bottom + 18);
            }
        }
        g.drawString("round-trip time, microseconds (log scale), 64 KiB each way", LEFT, bottom + 42);

        for (int i = 0; i < roundTrips.size(); i++) {
            RoundTrip r = roundTrips.get(i);
            int y = TOP + i * ROW;
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(r.caseId(), 16, y + 2 + ROW / 2);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            double[] values = {r.p50Ns() / 1e3, r.p95Ns() / 1e3, r.p99Ns() / 1e3};
            for (int k = 0; k < values.length; k++) {
                int x = LEFT + (int) Math.round(
                        (Math.log10(Math.max(values[k], Math.pow(10, minDecade))) - minDecade)
                                / (maxDecade - minDecade) * plotWidth);
                int barY = y + 6 + k * (BAR + 2);
                g.setColor(COLORS[k]);
                g.fillRect(LEFT, barY, Math.max(1, x - LEFT), BAR);
                g.setColor(Color.BLACK);
                g.drawString(String.format("%.1f", values[k]), x + 4, barY + BAR - 3);
            }
        }
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1f));
        g.drawLine(LEFT, TOP - 8, LEFT, bottom);
    }

    private static void legend(Graphics2D g) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int x = LEFT;
        for (int k = 0; k < LABELS.length; k++) {
            g.setColor(COLORS[k]);
            g.fillRect(x, 42, 14, 14);
            g.setColor(Color.BLACK);
            g.drawString(LABELS[k], x + 20, 54);
            x += 80;
        }
    }

    private static String tick(double micros) {
        return micros >= 1 ? String.format("%.0f", micros) : String.format("%.2g", micros);
    }
}
