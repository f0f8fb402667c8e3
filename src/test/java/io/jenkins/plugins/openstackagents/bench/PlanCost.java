package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.Planner;
import io.jenkins.plugins.openstackagents.pool.Quota;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The cost of one planning round of the real {@link CloudRuntime}: {@code flavor()} then {@code plan()} for each
 * of 50 templates, the queued builds spread evenly over them, as {@code Provisioning.plan} does for each template
 * of a cloud. Wall time on this machine, median of repeated rounds, each on a fresh runtime (Nova answers at once;
 * its limits are read once per runtime, as in a real round within the limits interval).
 */
final class PlanCost {

    static final int TEMPLATES = 50;

    /** The median wall time of one round, in microseconds, and what it reserved. */
    record Cost(int queued, int quota, double medianMicros, double p90Micros, int reserved) {
    }

    private PlanCost() {
    }

    static Cost measure(int queued, int quota, int rounds) throws ComputeException {
        Logger log = Logger.getLogger("io.jenkins.plugins.openstackagents");
        Level level = log.getLevel();
        log.setLevel(Level.WARNING); // "Quota exhausted" once per fresh runtime is not what is measured
        try {
            return measureQuietly(queued, quota, rounds);
        } finally {
            log.setLevel(level);
        }
    }

    private static Cost measureQuietly(int queued, int quota, int rounds) throws ComputeException {
        List<Double> times = new ArrayList<>();
        int reserved = 0;
        for (int r = 0; r < rounds; r++) {
            InMemoryCompute nova = new InMemoryCompute(Clock.fixed(VirtualTime.EPOCH, ZoneOffset.UTC))
                    .quota(quota, -1, -1);
            CloudRuntime rt = new CloudRuntime("cost", "controller", s -> nova,
                    Clock.fixed(VirtualTime.EPOCH, ZoneOffset.UTC), d -> { });
            rt.setRequestsPerSecond(10_000);
            rt.assumeSoleUser(); // the cost of one round is measured, not the pacing of creates after a start
            rt.connect(new ConnectionSettings("https://keystone.invalid/v3", null,
                    new ConnectionSettings.ApplicationCredential("id", "secret"), true, null, null));
            rt.snapshots().limits(); // the round itself runs within the limits interval
            rt.snapshots().flavor("m1.small");
            int[] n = {0};
            long start = System.nanoTime();
            int got = 0;
            for (int t = 0; t < TEMPLATES; t++) {
                int wanted = queued / TEMPLATES + (t < queued % TEMPLATES ? 1 : 0);
                Quota perServer = Quota.of(rt.snapshots().flavor("m1.small"));
                Planner.Plan p = rt.plan(new Planner.Request("template-" + t, perServer, wanted, 0), 0,
                        () -> "agent-" + (n[0]++));
                got += p.reserved().size();
            }
            times.add((System.nanoTime() - start) / 1e3);
            reserved = got;
        }
        List<Double> measured = new ArrayList<>(times.subList(rounds / 3, rounds)); // after warm-up
        Collections.sort(measured);
        return new Cost(queued, quota, Simulation.percentile(measured, 0.5), Simulation.percentile(measured, 0.9),
                reserved);
    }
}
