package io.jenkins.plugins.openstackagents.bench;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;

/** {@code docs/benchmarks-live.md}: the live run's figures, in the tables of {@code docs/benchmarks.md}. */
final class LiveReport {

    private LiveReport() {
    }

    static String markdown(Simulation.Scenario sc, List<LiveBenchmarkIT.Run> runs, SparesReport.Runs spares,
                           double wall) {
        StringBuilder md = new StringBuilder();
        Simulation.Result a = runs.get(0).result();
        md.append("# Benchmark, live: the three policies on the real OpenStack\n\n");
        md.append("Written by `").append(LiveBenchmarkIT.COMMAND).append("` (`src/test/java/io/jenkins/plugins/")
                .append("openstackagents/bench/LiveBenchmarkIT.java`); do not edit by hand. This run, on ")
                .append(LocalDate.now(ZoneOffset.UTC)).append(", took ").append(Benchmark.f1(wall / 60))
                .append(" min of wall time on ").append(Runtime.getRuntime().availableProcessors())
                .append(" cores.\nThe simulated benchmark, hours of the incident's workload in virtual time, is in\n")
                .append("[benchmarks.md](benchmarks.md).\n\n");
        md.append("The comparison of the simulated benchmark, scaled down and run in real time against the local\n")
                .append("OpenStack of `src/test/openstack/openstack-lite.sh` (Keystone, Nova with its fake driver,\n")
                .append("Neutron, Glance, Placement on 127.0.0.1): the same builds meet the real Nova three times,\n")
                .append("one policy after the other, for ").append(minutes(sc.end())).append(" each. Every policy's Nova\n")
                .append("requests pass one counting proxy (`nova.FaultProxy`, no fault injected).\n")
                .append("The plugin without and with spare agents: [Spare agents](#spare-agents).\n\n");

        md.append("## Headline figures\n\n");
        Benchmark.headline(md, sc, results(runs));
        md.append("| Figure | This plugin | Incident node pool (model) | Existing OpenStack plugin (model) | Target "
                + "| Plugin |\n");
        md.append("| --- | ---: | ---: | ---: | --- | --- |\n");
        md.append("| First create request after the first build was queued |");
        for (LiveBenchmarkIT.Run r : runs) {
            md.append(' ').append(Double.isNaN(r.firstCreateSeconds()) ? "none"
                    : String.format(Locale.ROOT, "%.2f s", r.firstCreateSeconds())).append(" |");
        }
        md.append(" <= 1 s | ").append(verdict(runs.get(0).firstCreateSeconds() <= 1)).append(" |\n");
        md.append("| Keystone requests (not in the totals) |");
        for (LiveBenchmarkIT.Run r : runs) {
            md.append(' ').append(r.keystoneRequests()).append(" |");
        }
        md.append(" | |\n");
        md.append("| Nova requests without an answer (counted as 5xx) |");
        for (LiveBenchmarkIT.Run r : runs) {
            md.append(' ').append(r.noAnswer()).append(" |");
        }
        md.append(" | |\n");
        List<Double> connect = sorted(runs.get(0).agentConnectSeconds());
        md.append("| Agent connected after its server was ACTIVE, p50 / max | ").append(connect.isEmpty() ? "n/a"
                : String.format(Locale.ROOT, "%.1f / %.1f s", Simulation.percentile(connect, 0.5),
                        connect.get(connect.size() - 1))).append(" | no agent | no agent | | |\n\n");
        notes(md, runs, connect);

        md.append("Definitions as in the simulated benchmark: \"Refused creates\" are `POST /servers` answered\n")
                .append("403 plus servers Nova accepted and then failed with its over-quota fault (seen in ERROR by\n")
                .append("the sampler, every ").append(LiveRecorder.PERIOD.toSeconds())
                .append(" s: a server failed and deleted between two samples\nis missed). \"Quota utilisation\" is ")
                .append("the share of quota-seconds, while at least one build waits, held by\nservers in BUILD or ")
                .append("running a build, from those samples. \"Idle load\" is measured over the last ")
                .append((int) sc.idleWindow()).append(" s\nof each run, and only when no build waited or ran then.\n")
                .append("Queue waits are from a build's arrival to its start (the plugin: the Hudson build's\n")
                .append("timestamp; the models: an ACTIVE server taking it). Builds still waiting or running at the\n")
                .append("end are not completed; their waits so far count for those that started.\n\n");
        md.append("The plugin's first create is measured from the first build's arrival, when the whole quota is\n")
                .append("free; later builds wait for quota, not for the plugin.\n\n");

        md.append("## Requests by kind and status\n\n");
        Benchmark.requests(md, sc, results(runs));

        if (a.logLines() >= 0) {
            md.append("## The plugin's log\n\n");
            md.append("Lines at INFO or above from the plugin's loggers during its run:\n\n");
            md.append("| Line | count |\n| --- | ---: |\n");
            new java.util.TreeMap<>(a.logKinds()).forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
            md.append("| **Builds completed** | **").append(a.completed()).append("** |\n\n");
        }

        md.append("## Charts\n\n");
        md.append("Requests per ").append((int) LiveRecorder.BUCKET_SECONDS).append(" s by status (as the proxy ")
                .append("saw them), the policy's servers on Nova against the quota,\nand the builds waiting, from ")
                .append("the samples.\n\n");
        for (int i = 0; i < runs.size(); i++) {
            md.append("![").append(runs.get(i).result().policy()).append("](images/benchmark-live-")
                    .append(LiveBenchmarkIT.SHORT.get(i)).append(".svg)\n\n");
        }

        spares(md, spares);

        md.append("## What runs\n\n");
        md.append("**Workload**, the same builds for every policy (fixed seed): ").append(workload(sc, a.arrived()))
                .append(".\nQuota of the project: ")
                .append(sc.maxInstances()).append(" instances, ").append(sc.maxCores()).append(" cores, ")
                .append(sc.maxRamMb()).append(" MB RAM; flavor `").append(sc.flavor().name()).append("` (")
                .append(sc.flavor().vcpus()).append(" core, ").append(sc.flavor().ramMb())
                .append(" MB), so at most ").append(a.capacity()).append(" servers.\nThe builds arrive faster than ")
                .append("the quota can serve them, so they queue under every policy.\n\n");
        md.append("**This plugin**: a Hudson 1.395 in the test JVM (`HudsonTestCase`) with the plugin's cloud (requests\n")
                .append("limited to 5 per second, limits read at most once a minute, cleanup every 60 s) and one\n")
                .append("single-use template labelled `bench`; each build is a freestyle job `sleep <length>` on that\n")
                .append("label. The plugin provisions as it does in production (FastProvisioner, NodeProvisioner,\n")
                .append("`CloudRuntime`); Nova's fake driver boots no operating system, so the test's guest emulator\n")
                .append("plays each ACTIVE server's cloud-init: an SSH daemon on the address Neutron gave it, with the\n")
                .append("host key and login key of its user data; the plugin connects there and starts the agent.\n\n");
        md.append("**The two models**: `IncidentNodepoolModel` and `OpenStackCloudPluginModel`, the same classes as in\n")
                .append("the simulation (see [benchmarks.md](benchmarks.md) for what they model), run on a real-time\n")
                .append("timeline (`RealTime`: one thread, so the models need no locks) and the real Nova through the\n")
                .append("project's `nova.Compute` (`LiveModelNova`: requests on up to ").append(LiveModelNova.THREADS)
                .append(" threads, answers back on the\ntimeline). A build holds an ACTIVE server for its length; no ")
                .append("agent runs. Their servers boot\nwithout user data.\n\n");
        md.append("**Between policies** every server of the policy is deleted (directly, not through the proxy) and\n")
                .append("the run waits until Nova lists none and counts no instance in use, so each policy starts\n")
                .append("with the whole quota. \"Servers left on Nova at the end\" are counted before that.\n\n");
        md.append("**Against the simulation**: real response times (no injected 5xx), Nova's fake driver booting in\n")
                .append("seconds, and, for the plugin only, real agents that take seconds to connect after their\n")
                .append("server is ACTIVE (the models' builds start on ACTIVE). A few minutes cannot show the hours of\n")
                .append("the incident, and with a quota of ").append(sc.maxInstances()).append(" one server is a third ")
                .append("of it: read the ratios, not the\nabsolute figures.\n");
        return md.toString();
    }

    /** "a build every 5-9 s for 180 s (26 builds), each 20-30 s long, then 270 s without new builds" */
    private static String workload(Simulation.Scenario sc, int builds) {
        return "a build every " + f0(sc.arrivalMin()) + "-" + f0(sc.arrivalMax()) + " s for " + f0(sc.arrivalsFor())
                + " s (" + builds + " builds), each " + f0(sc.lengthMin()) + "-" + f0(sc.lengthMax())
                + " s long, then " + f0(sc.quietFor()) + " s without new builds";
    }

    /** The spares comparison: the table with the goals, the charts, what runs. */
    private static void spares(StringBuilder md, SparesReport.Runs spares) {
        Simulation.Result room = spares.roomSpares();
        String definitions = "\"Queue-to-start wait\" is from a build's scheduling to its Hudson build's timestamp "
                + "(its start on an executor),\nso it includes Hudson's hand-over from queue to executor. \"Idle "
                + "requests/min, spares ready\" is the idle load\nof the headline table, over the last "
                + f0(room.scenario().idleWindow()) + " s of each run, when no build waited or ran and the spares "
                + "sat ready\non Nova (the last row).";
        String whatRuns = "the plugin as above, its template keeping " + spares.withSpares() + " ready; each run "
                + "with a cloud of its own,\nso a `CloudRuntime` of its own (limits, ledger, spares' state). The "
                + "cleanup pass (every 10 s) replenishes\nthe spares (`SpareAgents.replenish`); a build takes an "
                + "idle agent, and a spare so taken is an\nordinary single-use agent. At a run's end its agents "
                + "still in Hudson (its spares) are removed and\ntheir servers deleted with the run's others.";
        String workloads = "- " + room.scenario().title() + ": " + workload(room.scenario(), room.arrived()) + ";\n- "
                + spares.quotaSpares().scenario().title() + ": the workload above.";
        SparesReport.section(md, spares, new SparesReport.Prose(": the workload above, at the quota (its "
                + "\"today\" column is the\nplugin's run above), and a workload with room for spares.", definitions,
                whatRuns, workloads), "benchmark-live", LiveBenchmarkIT.COMMAND);
    }

    /** What the figures say, from the figures of this run. */
    private static void notes(StringBuilder md, List<LiveBenchmarkIT.Run> runs, List<Double> connect) {
        Simulation.Result a = runs.get(0).result();
        Simulation.Result n = runs.get(1).result();
        Simulation.Result o = runs.get(2).result();
        md.append("### What the figures say\n\n");
        md.append("- Refused creates: ").append(a.refused()).append(" for this plugin; ").append(n.refused())
                .append(" for the incident's pool model (").append(Benchmark.pct((double) n.refused() / Math.max(1,
                        n.total()))).append(" of its requests), ").append(o.refused())
                .append(" for the\n  existing plugin's model, whose cap equals the instance quota and which counts servers from ")
                .append("its own\n  list.\n");
        md.append("- API calls per completed build: ").append(Benchmark.f1(a.callsPerBuild())).append(" against ")
                .append(Benchmark.f1(n.callsPerBuild())).append(" and ").append(Benchmark.f1(o.callsPerBuild()))
                .append(". Idle, the plugin lists its servers once per\n  cleanup interval; the existing ")
                .append("plugin's model lists them every 10 s.\n");
        md.append("- Quota utilisation and queue waits: the models' builds start the moment their server is ACTIVE;")
                .append("\n  the plugin's wait for a real agent to connect");
        if (!connect.isEmpty()) {
            md.append(" (").append(String.format(Locale.ROOT, "%.1f s", Simulation.percentile(connect, 0.5)))
                    .append(" at the median here)");
        }
        md.append(" and for Hudson's queue to\n  hand them their build. The incident model's servers deleted in ")
                .append("BUILD count as busy. The\n  agent's connect time is only a small part of the plugin's gap ")
                .append("to the 95 % target; the rest is\n  time in which a slot holds an ACTIVE server not yet ")
                .append("running its build, or no server at all\n  (between a delete seen through and the next ")
                .append("create). This run does not break it down.\n");
        md.append("- First create after the first build: ")
                .append(String.format(Locale.ROOT, "%.2f s", runs.get(0).firstCreateSeconds()))
                .append(" for the plugin, a time that includes its first Keystone\n")
                .append("  token, flavor list and limits read of the run (its cloud is added at the start); the ")
                .append("existing\n  plugin's model waits for its next 10 s round.\n");
        long cleanupLines = 0;
        for (java.util.Map.Entry<String, Long> e : a.logKinds().entrySet()) {
            if (e.getKey().contains("OpenStack Agents cleanup")) {
                cleanupLines += e.getValue();
            }
        }
        if (cleanupLines > 0) {
            md.append("- The plugin's log: ").append(cleanupLines).append(" of its ").append(a.logLines())
                    .append(" lines are Hudson's own \"Started / Finished OpenStack Agents\n  cleanup\" ")
                    .append("lines, one pair per run of the periodic cleanup (the simulation has no Hudson and\n  ")
                    .append("does not count them).\n");
        }
        md.append('\n');
    }

    private static List<Double> sorted(List<Double> values) {
        List<Double> s = new java.util.ArrayList<>(values);
        java.util.Collections.sort(s);
        return s;
    }

    private static List<Simulation.Result> results(List<LiveBenchmarkIT.Run> runs) {
        return runs.stream().map(LiveBenchmarkIT.Run::result).toList();
    }

    private static String verdict(boolean met) {
        return met ? "met" : "**missed**";
    }

    private static String f0(double v) {
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String minutes(double s) {
        return String.format(Locale.ROOT, "%.1f min", s / 60);
    }
}
