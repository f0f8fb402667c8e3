package io.jenkins.plugins.openstackagents.bench;

import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.model.Result;
import hudson.tasks.Shell;
import io.jenkins.plugins.openstackagents.LiveOpenStackTestCase;
import io.jenkins.plugins.openstackagents.OpenStackAgent;
import io.jenkins.plugins.openstackagents.OpenStackCloud;
import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.FaultProxy;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Openstack4jComputeFactory;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Supplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The live half of the benchmark: the comparison of {@code docs/benchmarks.md} scaled down to the real OpenStack on
 * 127.0.0.1 (quota 3 instances) and run in real time, one policy after the other on the same builds.
 *
 * <ul>
 *   <li>This plugin: real Hudson builds, labelled for the cloud's single-use template, on agents the plugin
 *       provisions; the {@code NovaGuestEmulator} starts each agent when its server turns ACTIVE.</li>
 *   <li>The two models ({@link IncidentNodepoolModel}, {@link OpenStackCloudPluginModel}), the same classes as in the
 *       simulation, on a {@link RealTime} timeline and the real Nova ({@link LiveModelNova}); a build holds an
 *       ACTIVE server for its length, no agent runs.</li>
 * </ul>
 *
 * Every policy reaches Nova through one {@link FaultProxy} (and Keystone through another), which counts its requests
 * by kind and status; a {@link LiveRecorder} samples the policy's servers directly. Between policies every server
 * of the policy is deleted and the quota is seen free again. Writes {@code docs/benchmarks-live.md} and
 * {@code docs/images/benchmark-live-*.svg} (under the directory of the {@code bench.docs} property).
 *
 * <p>Then the plugin again with spare agents ({@link #SPARES}): on the same workload at the quota, and on a workload
 * with room for spares (builds one at a time) without and with them, each run with a cloud of its own (its own
 * {@code CloudRuntime}); a run's agents left in Hudson (its spares) are removed, and their servers deleted, before
 * the next.
 *
 * <p>Not part of {@code mvn verify}: {@value #COMMAND} runs it alone. The workloads can be shortened for a trial
 * with the properties {@code bench.arrivals}, {@code bench.end}, {@code bench.room.arrivals}, {@code bench.room.end}
 * and {@code bench.idle} (seconds).
 */
public class LiveBenchmarkIT extends LiveOpenStackTestCase {

    static final String COMMAND = "mvn -Pbenchmark-live verify";
    private static final Logger LOGGER = Logger.getLogger(LiveBenchmarkIT.class.getName());
    private static final String LABEL = "bench";
    /** The policies' short names, in the order they run, as in the charts' file names. */
    static final List<String> SHORT = List.of("plugin", "incident-model", "openstack-plugin-model");
    private static final double ARRIVAL_MIN = 5;
    private static final double ARRIVAL_MAX = 9;
    private static final double LENGTH_MIN = 20;
    private static final double LENGTH_MAX = 30;
    private static final long SEED = 6;
    /** The spare-room workload: builds one at a time, with gaps a spare is replaced in. */
    private static final double ROOM_ARRIVAL_MIN = 20;
    private static final double ROOM_ARRIVAL_MAX = 40;
    private static final double ROOM_LENGTH_MIN = 10;
    private static final double ROOM_LENGTH_MAX = 20;
    private static final long ROOM_SEED = 7;
    /** Spare agents of the template in the spare runs. */
    static final int SPARES = 1;
    private static final Duration QUOTA_FREE_TIMEOUT = Duration.ofMinutes(3);

    private FaultProxy novaProxy;
    private FaultProxy keystoneProxy;

    /** A policy's run: the figures in the simulation's form, and what only the live run shows. */
    record Run(Simulation.Result result, double firstCreateSeconds, long keystoneRequests, long noAnswer,
               List<Double> agentConnectSeconds) {
    }

    @Override
    protected void setUp() throws Exception {
        super.setUp();
        novaProxy = FaultProxy.start(os.novaUrl().replaceAll("/v2\\.1/?$", ""));
        keystoneProxy = FaultProxy.start(os.authUrl().replaceAll("/v3/?$", "")).routeThrough(novaProxy);
    }

    @Override
    protected void tearDown() throws Exception {
        try {
            super.tearDown();
        } finally {
            keystoneProxy.close();
            novaProxy.close();
        }
    }

    public void testThreePoliciesOnTheRealOpenStack() throws Exception {
        long wallStart = System.nanoTime();
        Flavor flavor = flavor(os.flavorSmall());
        double arrivals = Double.parseDouble(System.getProperty("bench.arrivals", "180"));
        double end = Double.parseDouble(System.getProperty("bench.end", "450"));
        double idle = Double.parseDouble(System.getProperty("bench.idle", "60"));
        Simulation.Scenario sc = new Simulation.Scenario("live", "quota " + os.quotaInstances()
                + " instances on the real OpenStack (loopback)", os.quotaInstances(), os.quotaCores(), os.quotaRamMb(),
                flavor, arrivals, ARRIVAL_MIN, ARRIVAL_MAX, LENGTH_MIN, LENGTH_MAX, end - arrivals, idle, 0, SEED);
        double roomArrivals = Double.parseDouble(System.getProperty("bench.room.arrivals", "300"));
        double roomEnd = Double.parseDouble(System.getProperty("bench.room.end", "420"));
        Simulation.Scenario room = new Simulation.Scenario("live-room", "spare room, quota " + os.quotaInstances()
                + " instances on the real OpenStack", os.quotaInstances(), os.quotaCores(), os.quotaRamMb(), flavor,
                roomArrivals, ROOM_ARRIVAL_MIN, ROOM_ARRIVAL_MAX, ROOM_LENGTH_MIN, ROOM_LENGTH_MAX,
                roomEnd - roomArrivals, idle, 0, ROOM_SEED);
        Compute proxied = new Openstack4jComputeFactory().connect(new ConnectionSettings(keystoneProxy.baseUrl()
                + "/v3", os.region(), os.applicationCredential(), true, Duration.ofSeconds(5), Duration.ofSeconds(30)));

        List<Run> runs = new ArrayList<>();
        runs.add(plugin(sc, "bench", 0));
        runs.add(model(sc, IncidentNodepoolModel::new, SHORT.get(1), proxied));
        runs.add(model(sc, OpenStackCloudPluginModel::new, SHORT.get(2), proxied));
        SparesReport.Runs spares = new SparesReport.Runs(SPARES, plugin(room, "room", 0).result(),
                plugin(room, "roomspare", SPARES).result(), runs.get(0).result(),
                plugin(sc, "spare", SPARES).result());

        awaitQuotaFree(); // the last policy's servers are gone too

        Path docs = Path.of(System.getProperty("bench.docs", "docs"));
        Files.createDirectories(docs.resolve("images"));
        for (int i = 0; i < runs.size(); i++) {
            Files.writeString(docs.resolve("images/benchmark-live-" + SHORT.get(i) + ".svg"),
                    timeline(runs.get(i).result()), StandardCharsets.UTF_8);
        }
        SparesReport.writeCharts(docs, "benchmark-live", "Queue-to-start wait on the real OpenStack, this plugin "
                + "without and with " + spares.withSpares(), spares, timeline(spares.roomSpares()));
        double wall = (System.nanoTime() - wallStart) / 1e9;
        Files.writeString(docs.resolve("benchmarks-live.md"), LiveReport.markdown(sc, runs, spares, wall),
                StandardCharsets.UTF_8);
        System.out.println("wrote " + docs.resolve("benchmarks-live.md"));

        for (Simulation.Result plugin : List.of(runs.get(0).result(), spares.roomToday(), spares.roomSpares(),
                spares.quotaSpares())) {
            assertEquals("creates Nova refused " + plugin.policy() + " in " + plugin.scenario().name(), 0,
                    plugin.refused());
            assertTrue(plugin.policy() + " completed builds in " + plugin.scenario().name(), plugin.completed() > 0);
        }
    }

    /** A run's chart: requests per bucket, servers against the quota, builds waiting. */
    private static String timeline(Simulation.Result r) {
        return SvgChart.render(r, LiveRecorder.BUCKET_SECONDS,
                "API requests per " + (int) LiveRecorder.BUCKET_SECONDS + " s", 60, "min");
    }

    // ------------------------------------------------------------------ this plugin, in Hudson

    /**
     * The plugin on the workload, with a cloud of its own named {@code cloudName} (so a runtime of its own) whose
     * template keeps {@code spares} spare agents.
     */
    private Run plugin(Simulation.Scenario sc, String cloudName, int spares) throws Exception {
        awaitQuotaFree();
        OpenStackCloud cloud = new OpenStackCloud(cloudName, keystoneProxy.baseUrl() + "/v3", os.region(), "", "",
                "", os.domain(), os.appCredId(), os.appCredSecret(), true, 0, getURL().toString(), 60, 5, 60,
                List.of(liveTemplate("bench", LABEL, 0, spares)));
        hudson.clouds.add(cloud);
        List<BuildQueue.Build> builds = sc.builds();
        List<FreeStyleProject> projects = new ArrayList<>();
        for (BuildQueue.Build b : builds) {
            FreeStyleProject p = createFreeStyleProject(String.format(Locale.ROOT, "%s-build-%02d", cloudName,
                    b.id()));
            p.setAssignedLabel(hudson.getLabel(LABEL));
            p.getBuildersList().add(new Shell(String.format(Locale.ROOT, "sleep %.1f", b.length())));
            projects.add(p);
        }
        AtomicLongArray queuedAt = new AtomicLongArray(builds.size());
        Map<String, String> selector = Map.of(Ownership.KEY_CONTROLLER,
                hudson.getDescriptorByType(OpenStackCloud.DescriptorImpl.class).controllerId());
        LogCounter log = new LogCounter();
        Logger pluginLog = Logger.getLogger("io.jenkins.plugins.openstackagents");
        pluginLog.addHandler(log);
        novaProxy.clearCounts();
        keystoneProxy.clearCounts();
        Simulation.Result r;
        Run run;
        try (LiveRecorder rec = new LiveRecorder(cloudName, nova, selector, capacity(sc), sc.end() - sc.idleWindow(),
                () -> pluginBuilds(projects, queuedAt)); RealTime time = new RealTime(cloudName)) {
            for (BuildQueue.Build b : builds) {
                time.after(b.arrival(), () -> {
                    queuedAt.set(b.id(), System.currentTimeMillis());
                    projects.get(b.id()).scheduleBuild2(0);
                });
            }
            sleepUntil(rec, sc.end());
            rec.close();
            int arrived = 0;
            int completed = 0;
            List<Double> waits = new ArrayList<>();
            for (int i = 0; i < projects.size(); i++) {
                if (queuedAt.get(i) > 0) {
                    arrived++;
                }
                FreeStyleBuild b = projects.get(i).getLastBuild();
                if (b != null) {
                    waits.add((b.getTimeInMillis() - queuedAt.get(i)) / 1000.0);
                    if (!b.isBuilding() && b.getResult() == Result.SUCCESS) {
                        completed++;
                    }
                }
            }
            int left = nova.list(selector).size();
            run = figures(cloudName, PluginPolicy.name(spares), sc, rec, arrived, completed, waits, left, log.lines,
                    log.kinds, log.connectSeconds());
        } finally {
            pluginLog.removeHandler(log);
            hudson.getQueue().clear();
            hudson.clouds.remove(cloud);
            removeAgents(cloudName);
        }
        deleteAll(selector);
        return run;
    }

    /** Removes the cloud's agents still in Hudson (its spares), which would take the next run's builds. */
    private void removeAgents(String cloudName) throws java.io.IOException {
        for (hudson.model.Node n : new ArrayList<>(hudson.getNodes())) {
            if (n instanceof OpenStackAgent && cloudName.equals(((OpenStackAgent) n).getCloudName())) {
                hudson.removeNode(n); // its server: deleted with the run's other servers, directly
            }
        }
    }

    private static LiveRecorder.Builds pluginBuilds(List<FreeStyleProject> projects, AtomicLongArray queuedAt) {
        int waiting = 0;
        int running = 0;
        for (int i = 0; i < projects.size(); i++) {
            FreeStyleBuild b = projects.get(i).getLastBuild();
            if (b == null && queuedAt.get(i) > 0) {
                waiting++;
            } else if (b != null && b.isBuilding()) {
                running++;
            }
        }
        return new LiveRecorder.Builds(waiting, running);
    }

    /**
     * Counts the plugin's log lines at INFO or above, by kind, as the simulation does; and, from the lines "Server X
     * ... is ACTIVE" and "Agent X is online", how long each agent took to connect once its server was ACTIVE.
     */
    private static final class LogCounter extends Handler {
        private static final Pattern NAME = Pattern.compile("\\S*\\d\\S*|\\b\\w+-\\w+-[a-z0-9]{6}\\b");
        long lines;
        final Map<String, Long> kinds = new TreeMap<>();
        private final Map<String, Long> activeAt = new HashMap<>();
        private final List<Double> connect = new ArrayList<>();

        synchronized List<Double> connectSeconds() {
            return List.copyOf(connect);
        }

        @Override
        public synchronized void publish(LogRecord r) {
            if (r.getLevel().intValue() < Level.INFO.intValue() || r.getLoggerName() == null
                    || r.getLoggerName().startsWith(LiveBenchmarkIT.class.getPackageName())) {
                return; // the benchmark's own lines are not the plugin's
            }
            lines++;
            String message = new java.util.logging.SimpleFormatter().formatMessage(r);
            String kind = Simulation.kindOf(message);
            String[] words = message.split(" ");
            if (words.length > 2 && words[0].equals("Server") && message.contains(" is ACTIVE")) {
                activeAt.put(words[1], r.getMillis());
            } else if (words.length == 4 && words[0].equals("Agent") && message.endsWith(" is online")
                    && activeAt.containsKey(words[1])) {
                connect.add((r.getMillis() - activeAt.remove(words[1])) / 1000.0);
            }
            if (kind.equals("other")) { // the line's words, its names and numbers left out
                String w = NAME.matcher(message).replaceAll("…").replaceAll("\\s+", " ").trim();
                kind = w.substring(0, Math.min(70, w.length()));
            }
            kinds.merge(r.getLevel() + " " + kind, 1L, Long::sum);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    // ------------------------------------------------------------------ a model, on the real Nova

    private Run model(Simulation.Scenario sc, Supplier<ModelPolicy> policies, String name, Compute proxied)
            throws Exception {
        ModelPolicy model = policies.get();
        Map<String, String> selector = model.owner();
        deleteAll(selector); // a crashed earlier run must not take this one's quota
        awaitQuotaFree();
        novaProxy.clearCounts();
        keystoneProxy.clearCounts();
        RealTime time = new RealTime(name);
        BuildQueue queue = new BuildQueue(time);
        LiveModelNova modelNova = new LiveModelNova(proxied, time, os.imageId(), os.quotaInstances(), sc.seed() + 1);
        Run run;
        try (LiveRecorder rec = new LiveRecorder(name, nova, selector, capacity(sc), sc.end() - sc.idleWindow(),
                () -> time.ask(() -> new LiveRecorder.Builds(queue.waiting(), queue.running)))) {
            for (BuildQueue.Build b : sc.builds()) {
                time.after(b.arrival(), () -> queue.arrive(b));
            }
            time.after(0, () -> model.start(new ModelContext(time, modelNova, queue, sc.flavor(),
                    new Random(sc.seed() + 2))));
            sleepUntil(rec, sc.end());
            rec.close();
            time.close();
            modelNova.close();
            if (time.failure() != null) {
                throw new AssertionError(model.name() + " failed", time.failure());
            }
            int left = nova.list(selector).size();
            run = figures(name, model.name(), sc, rec, queue.arrived, queue.completed, queue.waits, left, -1,
                    Map.of(), List.of());
        } finally {
            time.close();
            modelNova.close();
        }
        deleteAll(selector);
        return run;
    }

    // ------------------------------------------------------------------ the figures, the same for every policy

    private Run figures(String name, String policy, Simulation.Scenario sc, LiveRecorder rec, int arrived,
                        int completed, List<Double> waits, int left, long logLines, Map<String, Long> logKinds,
                        List<Double> agentConnectSeconds) throws InterruptedException {
        novaProxy.awaitIdle(Duration.ofSeconds(60));
        List<FaultProxy.Exchange> exchanges = new ArrayList<>();
        for (FaultProxy.Exchange e : novaProxy.exchanges()) {
            if (rec.at(e) <= sc.end()) {
                exchanges.add(e);
            }
        }
        Map<String, Long> requests = LiveRecorder.byKind(exchanges);
        long refused403 = requests.getOrDefault("POST /servers 403", 0L);
        long noAnswer = exchanges.stream().filter(e -> e.status() <= 0).count();
        double idleFrom = sc.end() - sc.idleWindow();
        long idleRequests = exchanges.stream().filter(e -> rec.at(e) >= idleFrom).count();
        double idleRpm = rec.busyInIdleWindow() ? Double.NaN : idleRequests / (sc.idleWindow() / 60);
        double firstArrival = sc.builds().get(0).arrival();
        double firstCreate = Double.NaN;
        for (FaultProxy.Exchange e : exchanges) {
            if (e.method().equals("POST") && e.path().matches(".*/servers") && rec.at(e) >= firstArrival) {
                firstCreate = rec.at(e) - firstArrival;
                break;
            }
        }
        long keystone = 0;
        for (FaultProxy.Exchange e : keystoneProxy.exchanges()) {
            if (rec.at(e) <= sc.end()) {
                keystone++;
            }
        }
        List<Double> sorted = new ArrayList<>(waits);
        Collections.sort(sorted);
        Simulation.Result r = new Simulation.Result(policy, sc, requests, exchanges.size(), refused403,
                rec.lateQuotaFailures(), arrived, completed, Simulation.percentile(sorted, 0.50),
                Simulation.percentile(sorted, 0.95), rec.utilisation(), rec.utilisationRunning(), idleRpm, left,
                rec.perBucket(exchanges, sc.end()), rec.samples(), capacity(sc), logLines, Map.copyOf(logKinds),
                rec.seconds());
        System.out.printf(Locale.ROOT, "LIVE %-24s requests=%d refused=%d+%d builds=%d/%d calls/build=%.2f"
                        + " wait p50/p95=%.0f/%.0f s utilisation=%.3f idle=%.2f/min left=%d first create %.2f s"
                        + " keystone=%d%n  %s%n", name, r.total(), r.refused403(), r.late413(), r.completed(),
                r.arrived(), r.callsPerBuild(), r.waitP50(), r.waitP95(), r.utilisation(), r.idleRpm(),
                r.leftOnNova(), firstCreate, keystone, LiveRecorder.describe(requests));
        return new Run(r, firstCreate, keystone, noAnswer, agentConnectSeconds);
    }

    private static void sleepUntil(LiveRecorder rec, double seconds) throws InterruptedException {
        double left;
        while ((left = seconds - rec.seconds()) > 0) {
            Thread.sleep(Math.max(1, Math.min(1000, (long) (left * 1000))));
        }
    }

    private static int capacity(Simulation.Scenario sc) {
        Flavor f = sc.flavor();
        int n = sc.maxInstances();
        if (sc.maxCores() >= 0) {
            n = Math.min(n, sc.maxCores() / f.vcpus());
        }
        if (sc.maxRamMb() >= 0) {
            n = Math.min(n, sc.maxRamMb() / f.ramMb());
        }
        return n;
    }

    private Flavor flavor(String idOrName) throws Exception {
        for (Flavor f : nova.flavors()) {
            if (f.id().equals(idOrName) || f.name().equals(idOrName)) {
                return f;
            }
        }
        throw new AssertionError("no flavor " + idOrName);
    }

    // ------------------------------------------------------------------ clean slate between policies

    /** Deletes every server with this metadata (directly, not counted) and waits until Nova lists none. */
    private void deleteAll(Map<String, String> selector) throws Exception {
        long deadline = System.nanoTime() + QUOTA_FREE_TIMEOUT.toNanos();
        List<Server> left = nova.list(selector);
        while (!left.isEmpty()) {
            for (Server s : left) {
                if (s.status() != Server.Status.DELETED) {
                    nova.delete(s.id());
                }
            }
            if (System.nanoTime() > deadline) {
                fail("servers left on Nova: " + left);
            }
            Thread.sleep(1000);
            left = nova.list(selector);
        }
        LOGGER.info("no server of " + selector + " left on Nova");
    }

    /** Waits until Nova counts no instance of the project: the next policy starts with the whole quota. */
    private void awaitQuotaFree() throws Exception {
        long deadline = System.nanoTime() + QUOTA_FREE_TIMEOUT.toNanos();
        while (nova.limits().usedInstances() > 0) {
            if (System.nanoTime() > deadline) {
                fail("the quota is still in use: " + nova.limits() + ", servers " + nova.list(Map.of()));
            }
            Thread.sleep(1000);
        }
        LOGGER.info("quota free at " + Instant.now());
    }
}
