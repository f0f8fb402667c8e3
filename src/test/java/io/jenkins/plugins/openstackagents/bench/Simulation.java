package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.Flavor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** One policy, one scenario, one run on the virtual clock; returns the figures. */
final class Simulation {

    /** The workload and the cloud. Times in seconds. */
    record Scenario(String name, String title, int maxInstances, int maxCores, int maxRamMb, Flavor flavor,
                    double arrivalsFor, double arrivalMin, double arrivalMax, double lengthMin, double lengthMax,
                    double quietFor, double idleWindow, double serverErrorRate, long seed) {

        /** The incident's shape: quota 10 instances, a build every 20-40 s for 3 h, builds of 3-8 min. */
        static Scenario incident() {
            return new Scenario("instances", "quota 10 instances (cores, RAM generous)", 10, 1000, 1_024_000,
                    new Flavor("2", "m1.medium", 2, 4096, 20), 3 * 3600, 20, 40, 180, 480, 5400, 1200, 0.005, 42);
        }

        /** Cores and RAM bind before instances do: 20 instances, 20 cores, 40 GB, a 2-core 4 GB flavor. */
        static Scenario coresAndRam() {
            return new Scenario("cores-ram", "quota 20 instances, 20 cores, 40 GB RAM; 2-core 4 GB flavor", 20, 20,
                    40_960, new Flavor("2", "m1.medium", 2, 4096, 20), 3 * 3600, 20, 40, 180, 480, 5400, 1200,
                    0.005, 43);
        }

        /**
         * Room for spares: quota 10 instances, builds one at a time with gaps (every 30-120 s for 2 h, each 2-6 min
         * long, about 3 at once), then 30 min without new builds.
         */
        static Scenario spareRoom() {
            return new Scenario("spare-room", "spare room, quota 10 instances", 10, 1000,
                    1_024_000, new Flavor("2", "m1.medium", 2, 4096, 20), 2 * 3600, 30, 120, 120, 360, 1800, 1200,
                    0.005, 44);
        }

        Scenario withSeconds(double arrivals, double quiet, double idle) {
            return new Scenario(name, title, maxInstances, maxCores, maxRamMb, flavor, arrivals, arrivalMin,
                    arrivalMax, lengthMin, lengthMax, quiet, idle, serverErrorRate, seed);
        }

        Scenario withErrorRate(double rate) {
            return new Scenario(name, title, maxInstances, maxCores, maxRamMb, flavor, arrivalsFor, arrivalMin,
                    arrivalMax, lengthMin, lengthMax, quietFor, idleWindow, rate, seed);
        }

        Scenario withLengths(double arrivalMin, double arrivalMax, double lengthMin, double lengthMax) {
            return new Scenario(name, title, maxInstances, maxCores, maxRamMb, flavor, arrivalsFor, arrivalMin,
                    arrivalMax, lengthMin, lengthMax, quietFor, idleWindow, serverErrorRate, seed);
        }

        double end() {
            return arrivalsFor + quietFor;
        }

        /** The builds, the same for every policy. */
        List<BuildQueue.Build> builds() {
            Random r = new Random(seed);
            List<BuildQueue.Build> b = new ArrayList<>();
            double t = r.nextDouble() * arrivalMax;
            while (t < arrivalsFor) {
                b.add(new BuildQueue.Build(b.size(), t, lengthMin + r.nextDouble() * (lengthMax - lengthMin)));
                t += arrivalMin + r.nextDouble() * (arrivalMax - arrivalMin);
            }
            return b;
        }
    }

    /** A sample of the servers every 10 s: on Nova, busy (BUILD or running a build), builds waiting. */
    record Sample(double t, int onNova, int busy, int waiting) {
    }

    /** The figures of one run. */
    record Result(String policy, Scenario scenario, Map<String, Long> requests, long total, long refused403,
                  long late413, int arrived, int completed, double waitP50, double waitP95, double utilisation,
                  double utilisationRunning, double idleRpm, int leftOnNova, List<long[]> perMinute,
                  List<Sample> samples, int capacity, long logLines, Map<String, Long> logKinds, double wallSeconds) {

        long refused() {
            return refused403 + late413;
        }

        long creates() {
            long n = 0;
            for (Map.Entry<String, Long> e : requests.entrySet()) {
                if (e.getKey().startsWith("POST /servers")) {
                    n += e.getValue();
                }
            }
            return n;
        }

        double callsPerBuild() {
            return completed == 0 ? Double.POSITIVE_INFINITY : (double) total / completed;
        }
    }

    private Simulation() {
    }

    static Result run(Scenario sc, Supplier<Policy> policies) {
        long wallStart = System.nanoTime();
        VirtualTime vt = new VirtualTime();
        SimNova.Params params = new SimNova.Params().quota(sc.maxInstances(), sc.maxCores(), sc.maxRamMb());
        params.serverErrorRate = sc.serverErrorRate();
        SimNova nova = new SimNova(params, vt, sc.seed() + 1, List.of(sc.flavor(),
                new Flavor("1", "m1.small", 1, 2048, 10)));
        BuildQueue queue = new BuildQueue(vt);
        Policy policy = policies.get();
        int capacity = nova.capacity(sc.flavor());

        Logger pluginLog = Logger.getLogger("io.jenkins.plugins.openstackagents");
        long[] logLines = new long[1];
        Map<String, Long> logKinds = new java.util.TreeMap<>();
        Handler counter = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getLevel().intValue() >= Level.INFO.intValue()) {
                    logLines[0]++;
                    logKinds.merge(r.getLevel() + " " + kindOf(new java.util.logging.SimpleFormatter()
                            .formatMessage(r)), 1L, Long::sum);
                }
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        boolean useParent = pluginLog.getUseParentHandlers();
        pluginLog.setUseParentHandlers(false);
        pluginLog.addHandler(counter);
        try {
            for (BuildQueue.Build b : sc.builds()) {
                vt.after(b.arrival(), () -> queue.arrive(b));
            }
            double[] util = new double[3];
            boolean[] busyInIdleWindow = new boolean[1];
            List<Sample> samples = new ArrayList<>();
            double idleFrom = sc.end() - sc.idleWindow();
            vt.after(0, new Runnable() {
                @Override
                public void run() {
                    double t = vt.seconds();
                    if (queue.waiting() > 0) {
                        util[0] += Math.min(capacity, nova.building() + queue.running);
                        util[1] += capacity;
                        util[2] += Math.min(capacity, queue.running);
                    }
                    if (t >= idleFrom && (queue.waiting() > 0 || queue.running > 0)) {
                        busyInIdleWindow[0] = true;
                    }
                    if (Math.round(t) % 10 == 0) {
                        samples.add(new Sample(t, nova.serverCount(), nova.building() + queue.running,
                                queue.waiting()));
                    }
                    vt.after(1, this);
                }
            });
            policy.start(new Policy.Context(vt, nova, queue, sc.flavor(), new Random(sc.seed() + 2)));
            vt.runUntil(sc.end());

            List<Double> waits = new ArrayList<>(queue.waits);
            Collections.sort(waits);
            long idleRequests = 0;
            int fromMinute = (int) (idleFrom / 60);
            int toMinute = (int) (sc.end() / 60);
            for (int m = fromMinute; m < toMinute && m < nova.perMinute.size(); m++) {
                for (long v : nova.perMinute.get(m)) {
                    idleRequests += v;
                }
            }
            double idleRpm = busyInIdleWindow[0] ? Double.NaN : idleRequests / ((toMinute - fromMinute) * 1.0);
            long refused403 = 0;
            for (Map.Entry<String, Long> e : nova.requests().entrySet()) {
                if (e.getKey().equals("POST /servers 403")) {
                    refused403 += e.getValue();
                }
            }
            long lines = policy instanceof PluginPolicy ? logLines[0] : -1;
            Result r = new Result(policy.name(), sc, nova.requests(), nova.total(), refused403,
                    nova.lateQuotaFailures(), queue.arrived, queue.completed, percentile(waits, 0.50),
                    percentile(waits, 0.95), util[1] == 0 ? Double.NaN : util[0] / util[1],
                    util[1] == 0 ? Double.NaN : util[2] / util[1], idleRpm,
                    nova.serverCount(), new ArrayList<>(nova.perMinute), samples, capacity, lines, Map.copyOf(logKinds),
                    (System.nanoTime() - wallStart) / 1e9);
            return r;
        } finally {
            vt.stop();
            pluginLog.removeHandler(counter);
            pluginLog.setUseParentHandlers(useParent);
        }
    }

    private static final String[] LOG_KINDS = {"Requested server", "Deleting server", "Quota exhausted",
        "Quota available again", "pausing requests", "answers again", "Could not delete", "is gone from Nova",
        "leaked", "did not start", "servers again"};

    /** The kind of a plugin log line, by the words that tell it apart. */
    static String kindOf(String message) {
        for (String k : LOG_KINDS) {
            if (message.contains(k)) {
                return k.equals("Deleting server") && message.contains("ERROR") ? "Deleting server (in ERROR)" : k;
            }
        }
        return "other";
    }

    static double percentile(List<Double> sorted, double q) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }
}
