package io.jenkins.plugins.openstackagents.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The spare agents' comparison, the same in the simulated and the live report: this plugin without spares (today's
 * policy) and with them, on the same builds and quota, in a workload with room for spares and one at the quota;
 * the goals of issue 12 marked from the run, and the chart of the waits.
 */
final class SparesReport {

    /** Four runs of the plugin: each workload without and with {@code spares} spare agents. */
    record Runs(int spares, Simulation.Result roomToday, Simulation.Result roomSpares, Simulation.Result quotaToday,
                Simulation.Result quotaSpares) {

        String withSpares() {
            return spares + " spare" + (spares == 1 ? "" : "s");
        }
    }

    /** What a report says around the table: after the first sentence, the definitions, what runs, the workloads. */
    record Prose(String intro, String definitions, String whatRuns, String workloads) {
    }

    /** p95 at quota with spares may exceed today's by this share at most. */
    static final double P95_MARGIN = 0.05;

    private SparesReport() {
    }

    /**
     * The report's section: the table with the goals, the prose, the charts {@link #writeCharts} wrote with the same
     * {@code prefix}, the closing note.
     */
    static void section(StringBuilder md, Runs r, Prose prose, String prefix, String command) {
        md.append("## Spare agents\n\n");
        md.append("This plugin without spare agents (today's policy) and with ").append(r.withSpares())
                .append(" (the template's *spare agents*,\nissue 12), on the same builds and quota")
                .append(prose.intro()).append(" The goals are the issue's.\n\n");
        table(md, r);
        md.append(prose.definitions()).append("\n\n");
        md.append("**What runs**: ").append(prose.whatRuns()).append("\n\n");
        md.append("**Workloads**, fixed seeds:\n\n").append(prose.workloads()).append("\n\n");
        md.append("![Queue-to-start waits without and with spares](images/").append(prefix)
                .append("-spares-waits.svg)\n\n");
        md.append("![").append(r.roomSpares().policy()).append(", ").append(r.roomSpares().scenario().title())
                .append("](images/").append(prefix).append("-spares-room.svg)\n\n");
        closing(md, r, command);
    }

    /** Writes {@code docs/images/PREFIX-spares-waits.svg} (the waits) and {@code PREFIX-spares-room.svg}. */
    static void writeCharts(Path docs, String prefix, String waitsTitle, Runs r, String roomTimeline)
            throws IOException {
        Files.writeString(docs.resolve("images/" + prefix + "-spares-waits.svg"), chart(waitsTitle, r),
                StandardCharsets.UTF_8);
        Files.writeString(docs.resolve("images/" + prefix + "-spares-room.svg"), roomTimeline, StandardCharsets.UTF_8);
    }

    /** The table: a column per run, the goal and whether this run met it. */
    static void table(StringBuilder md, Runs r) {
        String s = r.withSpares();
        md.append("| Figure | Spare room, today | Spare room, ").append(s).append(" | At quota, today | At quota, ")
                .append(s).append(" | Goal | This run |\n");
        md.append("| --- | ---: | ---: | ---: | ---: | --- | --- |\n");
        md.append("| Queue-to-start wait p50 |");
        cells(md, r, Simulation.Result::waitP50);
        md.append(" <= 1 s with spare room | ").append(Benchmark.verdict(r.roomSpares().waitP50() <= 1)).append(" |\n");
        md.append("| Queue-to-start wait p95 |");
        cells(md, r, Simulation.Result::waitP95);
        md.append(" at quota within ").append(Math.round(P95_MARGIN * 100)).append(" % of today's | ")
                .append(Benchmark.verdict(r.quotaSpares().waitP95() <= (1 + P95_MARGIN) * r.quotaToday().waitP95()))
                .append(" (x").append(Benchmark.ratio(r.quotaSpares().waitP95(), r.quotaToday().waitP95()))
                .append(") |\n");
        md.append("| Refused creates (403 + late 413) |");
        for (Simulation.Result x : all(r)) {
            md.append(' ').append(x.refused()).append(" |");
        }
        md.append(" 0 | ").append(Benchmark.verdict(r.roomSpares().refused() == 0 && r.quotaSpares().refused() == 0))
                .append(" |\n");
        md.append("| API calls per completed build |");
        for (Simulation.Result x : all(r)) {
            md.append(' ').append(Benchmark.f1(x.callsPerBuild())).append(" |");
        }
        double roomMore = r.roomSpares().callsPerBuild() - r.roomToday().callsPerBuild();
        double quotaMore = r.quotaSpares().callsPerBuild() - r.quotaToday().callsPerBuild();
        md.append(" within +1 of today's | ").append(Benchmark.verdict(roomMore <= 1 && quotaMore <= 1)).append(" (")
                .append(signed(roomMore)).append(", ").append(signed(quotaMore)).append(") |\n");
        md.append("| Idle requests/min, spares ready |");
        for (Simulation.Result x : all(r)) {
            md.append(' ').append(Double.isNaN(x.idleRpm()) ? "n/a (still busy)" : Benchmark.f1(x.idleRpm()))
                    .append(" |");
        }
        md.append(" no higher than today's | ").append(idleVerdict(r)).append(" |\n");
        md.append("| Builds completed |");
        for (Simulation.Result x : all(r)) {
            md.append(' ').append(x.completed()).append(" / ").append(x.arrived()).append(" |");
        }
        md.append(" all | |\n");
        md.append("| Servers on Nova at the end (spares ready) |");
        for (Simulation.Result x : all(r)) {
            md.append(' ').append(x.leftOnNova()).append(" |");
        }
        md.append(" | |\n\n");
    }

    /** The closing note: the waits side by side, and the command that produced them. */
    private static void closing(StringBuilder md, Runs r, String command) {
        md.append("Waits p50 / p95 from this run (`").append(command).append("`): with spare room ")
                .append(waits(r.roomToday())).append(" today against ").append(waits(r.roomSpares()))
                .append(" with ").append(r.withSpares()).append("; at quota ").append(waits(r.quotaToday()))
                .append(" against ").append(waits(r.quotaSpares())).append(".\n\n");
    }

    private static String waits(Simulation.Result r) {
        return Benchmark.duration(r.waitP50()) + " / " + Benchmark.duration(r.waitP95());
    }

    /** The chart of the waits: p50 and p95 of each run, a panel per workload. */
    private static String chart(String title, Runs r) {
        List<String> labels = List.of("today's policy (no spares)", r.withSpares());
        return SvgChart.waits(title, List.of(
                new SvgChart.WaitPanel(r.roomToday().scenario().title(), List.of(r.roomToday(), r.roomSpares()),
                        labels),
                new SvgChart.WaitPanel(r.quotaToday().scenario().title(), List.of(r.quotaToday(), r.quotaSpares()),
                        labels)));
    }

    private static List<Simulation.Result> all(Runs r) {
        return List.of(r.roomToday(), r.roomSpares(), r.quotaToday(), r.quotaSpares());
    }

    private static void cells(StringBuilder md, Runs r, java.util.function.ToDoubleFunction<Simulation.Result> f) {
        for (Simulation.Result x : all(r)) {
            md.append(' ').append(Benchmark.duration(f.applyAsDouble(x))).append(" |");
        }
    }

    private static String idleVerdict(Runs r) {
        double[] today = {r.roomToday().idleRpm(), r.quotaToday().idleRpm()};
        double[] spares = {r.roomSpares().idleRpm(), r.quotaSpares().idleRpm()};
        for (int i = 0; i < today.length; i++) {
            if (Double.isNaN(today[i]) || Double.isNaN(spares[i])) {
                return "**not measured** (builds waited or ran in the idle window)";
            }
        }
        return Benchmark.verdict(spares[0] <= today[0] && spares[1] <= today[1]);
    }

    /** A difference with its sign, "+0.0" when it rounds to nothing. */
    private static String signed(double v) {
        return String.format(java.util.Locale.ROOT, "%+.1f", Math.abs(v) < 0.05 ? 0.0 : v);
    }
}
