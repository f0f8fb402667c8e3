package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.FaultProxy;
import io.jenkins.plugins.openstackagents.nova.Server;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * What the live benchmark measures of one policy's run, the same way for every policy: a sample every
 * {@link #PERIOD} of the policy's servers as Nova lists them (asked directly, not through the proxy, so not counted)
 * and of the builds waiting and running, for the quota utilisation, the chart, and the servers seen failing with
 * Nova's late over-quota fault; and, at the end, the requests the proxy in front of Nova saw, by kind and status.
 */
final class LiveRecorder implements AutoCloseable {

    private static final Logger LOGGER = Logger.getLogger(LiveRecorder.class.getName());
    static final Duration PERIOD = Duration.ofSeconds(2);
    /** Width of the chart's request buckets. */
    static final double BUCKET_SECONDS = 10;
    private static final Pattern ID = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}|[0-9]+");

    /** The builds as the policy's side sees them: waiting and running. */
    record Builds(int waiting, int running) {
    }

    private final Compute direct;
    private final Map<String, String> selector;
    private final int capacity;
    private final Callable<Builds> builds;
    private final Instant start = Instant.now();
    private final long startNanos = System.nanoTime();
    private final double idleFrom;
    private final Thread thread;
    private volatile boolean running = true;

    // guarded by this
    private final List<Simulation.Sample> samples = new ArrayList<>();
    private final Set<String> lateQuota = new HashSet<>();
    private final double[] util = new double[3];
    private boolean busyInIdleWindow;
    private int onNova;

    /**
     * Starts sampling now; {@code idleFrom} is the second from which no build should wait or run (the idle window).
     */
    LiveRecorder(String name, Compute direct, Map<String, String> selector, int capacity, double idleFrom,
                 Callable<Builds> builds) {
        this.direct = direct;
        this.selector = Map.copyOf(selector);
        this.capacity = capacity;
        this.idleFrom = idleFrom;
        this.builds = builds;
        this.thread = new Thread(this::loop, "live-recorder-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    Instant start() {
        return start;
    }

    double seconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private void loop() {
        double last = seconds();
        while (running) {
            try {
                List<Server> servers = direct.list(selector);
                Builds b = builds.call();
                double t = seconds();
                sample(t, t - last, servers, b);
                last = t;
            } catch (ComputeException e) {
                LOGGER.log(Level.FINE, "sample failed", e);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                LOGGER.log(Level.WARNING, "sample failed", e);
            }
            try {
                Thread.sleep(PERIOD.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private synchronized void sample(double t, double dt, List<Server> servers, Builds b) {
        int building = 0;
        for (Server s : servers) {
            if (s.status() == Server.Status.BUILD) {
                building++;
            }
            if (s.status() == Server.Status.ERROR && s.fault() != null && s.fault().isQuotaExceeded()) {
                lateQuota.add(s.id());
            }
        }
        if (b.waiting() > 0) {
            util[0] += Math.min(capacity, building + b.running()) * dt;
            util[1] += capacity * dt;
            util[2] += Math.min(capacity, b.running()) * dt;
        }
        if (t >= idleFrom && (b.waiting() > 0 || b.running() > 0)) {
            busyInIdleWindow = true;
        }
        onNova = servers.size();
        samples.add(new Simulation.Sample(t, servers.size(), building + b.running(), b.waiting()));
    }

    /** Stops sampling (waits for the sample being taken). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(30_000);
    }

    synchronized List<Simulation.Sample> samples() {
        return List.copyOf(samples);
    }

    /** Servers that Nova accepted and then failed with its over-quota fault (seen in ERROR by a sample). */
    synchronized int lateQuotaFailures() {
        return lateQuota.size();
    }

    synchronized double utilisation() {
        return util[1] == 0 ? Double.NaN : util[0] / util[1];
    }

    synchronized double utilisationRunning() {
        return util[1] == 0 ? Double.NaN : util[2] / util[1];
    }

    synchronized boolean busyInIdleWindow() {
        return busyInIdleWindow;
    }

    /** Servers of the policy on Nova at the last sample. */
    synchronized int onNova() {
        return onNova;
    }

    // ------------------------------------------------------------------ the requests the proxy saw

    /** "GET /servers/{id} 404": the method, the path without version prefix and with ids replaced, the status. */
    static String kind(FaultProxy.Exchange e) {
        String path = e.path().replaceFirst("^/v2(\\.1)?(?=/|$)", "");
        StringBuilder sb = new StringBuilder();
        for (String seg : path.split("/")) {
            if (!seg.isEmpty()) {
                sb.append('/').append(ID.matcher(seg).matches() ? "{id}" : seg);
            }
        }
        return e.method() + " " + (sb.length() == 0 ? "/" : sb) + " " + status(e);
    }

    private static String status(FaultProxy.Exchange e) {
        return e.status() > 0 ? String.valueOf(e.status()) : "no answer";
    }

    /** The exchanges counted by kind and status. */
    static Map<String, Long> byKind(List<FaultProxy.Exchange> exchanges) {
        Map<String, Long> m = new TreeMap<>();
        for (FaultProxy.Exchange e : exchanges) {
            m.merge(kind(e), 1L, Long::sum);
        }
        return m;
    }

    /** The exchanges per bucket of {@link #BUCKET_SECONDS} since the start, by {@link SimNova.Outcome}. */
    List<long[]> perBucket(List<FaultProxy.Exchange> exchanges, double end) {
        List<long[]> buckets = new ArrayList<>();
        int n = (int) Math.ceil(end / BUCKET_SECONDS);
        for (int i = 0; i < n; i++) {
            buckets.add(new long[SimNova.Outcome.values().length]);
        }
        for (FaultProxy.Exchange e : exchanges) {
            int i = (int) (at(e) / BUCKET_SECONDS);
            if (i >= 0 && i < n) {
                buckets.get(i)[outcome(e.status()).ordinal()]++;
            }
        }
        return buckets;
    }

    /** Seconds from the start of the run to the exchange. */
    double at(FaultProxy.Exchange e) {
        return Duration.between(start, e.at()).toNanos() / 1e9;
    }

    static SimNova.Outcome outcome(int status) {
        if (status >= 200 && status < 400) {
            return SimNova.Outcome.OK;
        }
        if (status == 404) {
            return SimNova.Outcome.NOT_FOUND;
        }
        if (status >= 400 && status < 500) {
            return SimNova.Outcome.REFUSED;
        }
        return SimNova.Outcome.SERVER_ERROR; // 5xx, or no answer
    }

    static String describe(Map<String, Long> requests) {
        StringBuilder sb = new StringBuilder();
        requests.forEach((k, v) -> sb.append(String.format(Locale.ROOT, "%s=%d ", k, v)));
        return sb.toString().trim();
    }
}
