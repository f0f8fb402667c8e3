package io.jenkins.plugins.openstackagents.bench;

import java.util.List;
import java.util.Locale;

/**
 * One SVG per run: requests per minute (live: per bucket of seconds) by outcome, servers on Nova against the quota,
 * builds waiting; and one of queue-to-start waits side by side ({@link #waits}).
 */
final class SvgChart {

    private static final int W = 900;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int PANEL = 150;
    private static final String[] COLOURS = {"#4caf50", "#e53935", "#fb8c00", "#9e9e9e"};
    private static final String[] LABELS = {"2xx", "refused (403)", "5xx", "404"};

    private SvgChart() {
    }

    /** A simulated run: {@code perMinute} holds minutes, the time axis is marked every hour. */
    static String render(Simulation.Result r) {
        return render(r, 60, "API requests per minute", 3600, "h");
    }

    /**
     * A run whose {@code perMinute} holds buckets of {@code bucketSeconds}, its time axis marked every
     * {@code tickSeconds} (labelled with {@code tickUnit}).
     */
    static String render(Simulation.Result r, double bucketSeconds, String requestsTitle, double tickSeconds,
                         String tickUnit) {
        double end = r.scenario().end();
        int minutes = (int) Math.ceil(end / bucketSeconds);
        StringBuilder sb = new StringBuilder();
        open(sb, 70 + 3 * (PANEL + 50) - 50 + 30, LEFT, r.policy() + ": " + r.scenario().title());

        // panel 1: requests per minute, stacked by outcome
        int top = 70;
        long max = 1;
        for (long[] m : r.perMinute()) {
            long s = 0;
            for (long v : m) {
                s += v;
            }
            max = Math.max(max, s);
        }
        long yMax = niceCeil(max);
        Ticks ticks = new Ticks(tickSeconds, tickUnit);
        axes(sb, top, requestsTitle, yMax, end, ticks);
        double bw = (W - LEFT - RIGHT) / (double) minutes;
        for (int i = 0; i < r.perMinute().size() && i < minutes; i++) {
            long[] m = r.perMinute().get(i);
            double y = top + PANEL;
            for (int k = 0; k < m.length; k++) {
                if (m[k] == 0) {
                    continue;
                }
                double hh = PANEL * (double) m[k] / yMax;
                y -= hh;
                sb.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
                        + "fill=\"%s\"/>%n", LEFT + i * bw, y, Math.max(bw, 0.6), hh, COLOURS[k]));
            }
        }
        for (int k = 0; k < LABELS.length; k++) {
            legend(sb, LEFT + 10 + k * 110, top - 6, COLOURS[k], LABELS[k], false);
        }

        // panel 2: servers vs quota
        top += PANEL + 50;
        int sMax = r.capacity() + 2;
        for (Simulation.Sample s : r.samples()) {
            sMax = Math.max(sMax, s.onNova());
        }
        axes(sb, top, "servers", sMax, end, ticks);
        double qy = top + PANEL - PANEL * (double) r.capacity() / sMax;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"black\" "
                + "stroke-dasharray=\"6,4\"/>%n", LEFT, qy, W - RIGHT, qy));
        line(sb, r.samples(), top, sMax, end, "#1e88e5", 0);
        line(sb, r.samples(), top, sMax, end, "#43a047", 1);
        legend(sb, LEFT + 10, top - 6, "black", "quota (servers of this flavor)", true);
        legend(sb, LEFT + 230, top - 6, "#1e88e5", "servers on Nova (any state)", false);
        legend(sb, LEFT + 430, top - 6, "#43a047", "building or running a build", false);

        // panel 3: builds waiting
        top += PANEL + 50;
        int wMax = 5;
        for (Simulation.Sample s : r.samples()) {
            wMax = Math.max(wMax, s.waiting());
        }
        wMax = (int) niceCeil(wMax);
        axes(sb, top, "builds waiting", wMax, end, ticks);
        line(sb, r.samples(), top, wMax, end, "#8e24aa", 2);
        sb.append("</svg>\n");
        return sb.toString();
    }

    /** One panel of {@link #waits}: a workload, its runs and how each is labelled. */
    record WaitPanel(String title, List<Simulation.Result> runs, List<String> labels) {
    }

    private static final int WAIT_LABELS = 330;
    private static final int WAIT_BAR = 14;
    private static final String[] WAIT_COLOURS = {"#1e88e5", "#90caf9"};

    /**
     * Queue-to-start waits, p50 and p95 of each run as bars, one panel per workload, each on its own scale (seconds,
     * or minutes when its longest wait is two minutes or more).
     */
    static String waits(String title, List<WaitPanel> panels) {
        StringBuilder body = new StringBuilder();
        int width = W - WAIT_LABELS - RIGHT - 70;
        int y = 50;
        legend(body, WAIT_LABELS, y - 12, WAIT_COLOURS[0], "p50", false);
        legend(body, WAIT_LABELS + 60, y - 12, WAIT_COLOURS[1], "p95", false);
        for (WaitPanel p : panels) {
            double longest = 1;
            for (Simulation.Result r : p.runs()) {
                longest = Double.isNaN(r.waitP95()) ? longest : Math.max(longest, r.waitP95());
            }
            double unit = longest >= 120 ? 60 : 1;
            long max = niceCeil(longest / unit);
            y += 16;
            body.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\" font-weight=\"bold\">%s</text>%n", y,
                    esc(p.title())));
            y += 10;
            for (int i = 0; i < p.runs().size(); i++) {
                Simulation.Result r = p.runs().get(i);
                body.append(String.format(Locale.ROOT, "<text x=\"4\" y=\"%d\">%s</text>%n", y + WAIT_BAR + 2,
                        esc(p.labels().get(i))));
                double[] values = {r.waitP50(), r.waitP95()};
                for (int k = 0; k < values.length; k++) {
                    double w = Double.isNaN(values[k]) ? 0 : width * Math.min(1, values[k] / unit / max);
                    body.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
                            + "fill=\"%s\"/>%n", WAIT_LABELS, y, w, WAIT_BAR, WAIT_COLOURS[k]));
                    body.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\">%s</text>%n",
                            WAIT_LABELS + w + 4, y + WAIT_BAR - 3, esc(Benchmark.duration(values[k]))));
                    y += WAIT_BAR + 2;
                }
                y += 8;
            }
            body.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                    WAIT_LABELS, y, WAIT_LABELS + width, y));
            int ticks = max % 5 == 0 ? 5 : 4; // whole steps for the scales niceCeil gives
            for (int i = 0; i <= ticks; i++) {
                body.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s %s"
                        + "</text>%n", WAIT_LABELS + width * i / (double) ticks, y + 14,
                        number(max * i / (double) ticks), unit == 1 ? "s" : "min"));
            }
            y += 30;
        }
        StringBuilder sb = new StringBuilder();
        open(sb, y, 4, title);
        return sb.append(body).append("</svg>\n").toString();
    }

    /** The start of a chart {@code height} high: white, its title at {@code x}. */
    private static void open(StringBuilder sb, int height, int x, String title) {
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"11\">%n", W, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, height));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"20\" font-size=\"14\" font-weight=\"bold\">%s"
                + "</text>%n", x, esc(title)));
    }

    private record Ticks(double seconds, String unit) {
    }

    private static void axes(StringBuilder sb, int top, String title, double yMax, double end, Ticks ticks) {
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>%n", 4,
                top - 22, esc(title)));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                LEFT, top + PANEL, W - RIGHT, top + PANEL));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n",
                LEFT, top, LEFT, top + PANEL));
        for (int i = 0; i <= 4; i++) {
            double v = yMax * i / 4;
            double y = top + PANEL - PANEL * i / 4.0;
            sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                    LEFT - 4, y + 4, number(v)));
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                    + "stroke=\"#eee\"/>%n", LEFT + 1, y, W - RIGHT, y));
        }
        for (int k = 0; k * ticks.seconds() <= end; k++) {
            double x = LEFT + (W - LEFT - RIGHT) * k * ticks.seconds() / end;
            sb.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d %s</text>%n",
                    x, top + PANEL + 14, k, ticks.unit()));
        }
    }

    private static void line(StringBuilder sb, List<Simulation.Sample> samples, int top, double yMax, double end,
                             String colour, int which) {
        StringBuilder pts = new StringBuilder();
        for (Simulation.Sample s : samples) {
            int v = which == 0 ? s.onNova() : which == 1 ? s.busy() : s.waiting();
            pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", LEFT + (W - LEFT - RIGHT) * s.t() / end,
                    top + PANEL - PANEL * Math.min(v, yMax) / yMax));
        }
        sb.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                + "stroke-width=\"1\"/>%n", pts.toString().trim(), colour));
    }

    private static void legend(StringBuilder sb, int x, int y, String colour, String label, boolean dashed) {
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"10\" height=\"%d\" fill=\"%s\"/>%n",
                x, y - 8, dashed ? 2 : 10, colour));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x + 14, y + 1, esc(label)));
    }

    /** An axis value: whole numbers without decimals. */
    private static String number(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.format(Locale.ROOT, "%.1f", v);
    }

    private static long niceCeil(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(Math.max(1, v))));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return (long) Math.ceil(m * p);
            }
        }
        return (long) Math.ceil(10 * p);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
