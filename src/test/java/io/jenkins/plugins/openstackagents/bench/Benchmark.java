package io.jenkins.plugins.openstackagents.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Runs the simulated benchmark and writes docs/benchmarks.md and docs/images/benchmark-*.svg. */
public final class Benchmark {

    private Benchmark() {
    }

    static List<Supplier<Policy>> policies() {
        return List.of(PluginPolicy::new, IncidentNodepoolModel::new, OpenStackCloudPluginModel::new);
    }

    public static void main(String[] args) throws Exception {
        List<Simulation.Result> results = new ArrayList<>();
        for (Simulation.Scenario sc : List.of(Simulation.Scenario.incident(), Simulation.Scenario.coresAndRam())) {
            for (Supplier<Policy> p : policies()) {
                Simulation.Result r = Simulation.run(sc, p);
                results.add(r);
                System.out.printf("%-10s %-50s total=%d refused=%d+%d completed=%d/%d p50=%.0f p95=%.0f util=%.3f idle=%.2f left=%d calls/build=%.2f log=%d wall=%.1fs%n",
                        sc.name(), r.policy(), r.total(), r.refused403(), r.late413(), r.completed(), r.arrived(),
                        r.waitP50(), r.waitP95(), r.utilisation(), r.idleRpm(), r.leftOnNova(), r.callsPerBuild(),
                        r.logLines(), r.wallSeconds());
                System.out.println("    " + r.requests());
            }
        }
    }
}
