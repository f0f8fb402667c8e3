package io.jenkins.plugins.openstackagents;

import hudson.model.Computer;
import hudson.model.Hudson;
import hudson.model.Label;
import hudson.model.Node;
import hudson.model.Queue;
import hudson.slaves.Cloud;
import hudson.slaves.NodeProvisioner.PlannedNode;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.Demand;
import io.jenkins.plugins.openstackagents.pool.Ledger;
import io.jenkins.plugins.openstackagents.pool.LimitsSnapshot;
import io.jenkins.plugins.openstackagents.pool.Planner;
import io.jenkins.plugins.openstackagents.pool.Quota;
import io.jenkins.plugins.openstackagents.pool.Spares;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/** Turns demand (NodeProvisioner's, and the builds the fast path sees waiting) into agents, as far as the caps and the quota allow. */
final class Provisioning {

    private static final Logger LOGGER = Logger.getLogger(Provisioning.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private Provisioning() {
    }

    /**
     * Decisions of demand against what is on its way are made under this lock, for every cloud and both paths, so
     * that two never start two servers for one build. Nothing under it asks a cloud anything: what a decision needs
     * from the cloud is read before ({@link #prepare}).
     */
    private static final Object DECIDING = new Object();

    /** NodeProvisioner's round for one cloud: its demand less what is on its way, as far as the caps and quota allow. */
    static Collection<PlannedNode> provision(OpenStackCloud cloud, Label label, int excessWorkload) {
        if (provisionerDemand(label, excessWorkload) <= 0) {
            return List.of();
        }
        Prepared prepared = prepare(cloud, label);
        Reserved r;
        synchronized (DECIDING) {
            r = reserve(cloud, prepared, label, provisionerDemand(label, excessWorkload), Ledger.Launch.PROVISIONER);
        }
        r.makeRoom(cloud, label);
        List<PlannedNode> planned = new ArrayList<>();
        for (AgentLaunch launch : r.launches()) {
            planned.add(new PlannedNode(launch.name(), Computer.threadPoolForRemoting.submit(launch),
                    launch.executors()));
        }
        return planned;
    }

    private static int provisionerDemand(Label label, int excessWorkload) {
        synchronized (DECIDING) {
            int reconnecting = reconnecting(label);
            return Demand.forProvisioner(excessWorkload, onTheWay(label, true), onTheWay(label, false), reconnecting,
                    waitingBuilds().getOrDefault(label, 0), label.getIdleExecutors());
        }
    }

    /**
     * Starts agents of one cloud at once, outside NodeProvisioner, for the builds of a label that neither an idle
     * executor nor an agent on its way (from either path, of any cloud) will take.
     */
    static void startNow(OpenStackCloud cloud, Label label, int waitingBuilds) {
        if (fastDemand(label, waitingBuilds) <= 0) {
            return;
        }
        Prepared prepared = prepare(cloud, label);
        Reserved r;
        synchronized (DECIDING) {
            r = reserve(cloud, prepared, label, fastDemand(label, waitingBuilds), Ledger.Launch.FAST);
        }
        r.makeRoom(cloud, label);
        for (AgentLaunch launch : r.launches()) {
            Computer.threadPoolForRemoting.submit(launch);
        }
    }

    /**
     * What a round reserved; and, when demand was left because the quota or the cloud's cap had no room, the last
     * such plan (its headroom) and what one server of its template takes: a spare may make room then.
     */
    private record Reserved(List<AgentLaunch> launches, Planner.Plan shortOfRoom, Quota perServer) {
        /** Outside the lock: deletes an idle spare of another template if that gives the waiting build room. */
        void makeRoom(OpenStackCloud cloud, Label label) {
            if (shortOfRoom != null) {
                SpareAgents.makeRoom(cloud, label, shortOfRoom.headroom(), perServer);
            }
        }
    }

    /** Calls {@code c} while no provisioning decision is being taken, nor can be (tests). */
    static <T> T whileDeciding(java.util.concurrent.Callable<T> c) throws Exception {
        synchronized (DECIDING) {
            return c.call();
        }
    }

    /** Whether a build waits that this cloud could start an agent for and nothing idle or on its way will take. */
    static boolean demandWaits(OpenStackCloud cloud) {
        synchronized (DECIDING) {
            for (Map.Entry<Label, Integer> w : waitingBuilds().entrySet()) {
                if (cloud.canProvision(w.getKey()) && fastDemand(w.getKey(), w.getValue()) > 0) {
                    return true;
                }
            }
            return false;
        }
    }

    private static int fastDemand(Label label, int waitingBuilds) {
        synchronized (DECIDING) {
            return Demand.forWaiting(waitingBuilds, label.getIdleExecutors(), onTheWay(label, false),
                    reconnecting(label));
        }
    }

    /** Builds in the queue, ready to run, by the label they ask for (builds asking for none are left out). */
    static Map<Label, Integer> waitingBuilds() {
        Map<Label, Integer> waiting = new HashMap<>();
        for (Queue.BuildableItem item : Hudson.getInstance().getQueue().getBuildableItems()) {
            Label label = item.task.getAssignedLabel();
            if (label != null) {
                waiting.merge(label, 1, Integer::sum);
            }
        }
        return waiting;
    }

    private static List<OpenStackCloud> clouds() {
        List<OpenStackCloud> r = new ArrayList<>();
        for (Cloud c : Hudson.getInstance().clouds) {
            if (c instanceof OpenStackCloud) {
                r.add((OpenStackCloud) c);
            }
        }
        return r;
    }

    /** The agents being launched now, of every cloud. */
    static Set<String> launching() {
        Set<String> names = new HashSet<>();
        for (OpenStackCloud c : clouds()) {
            names.addAll(c.runtime().ledger().launching().keySet());
        }
        return names;
    }

    /** Executors on their way for builds of this label, of every cloud; only those NodeProvisioner did not plan if asked. */
    static int onTheWay(Label label, boolean fastOnly) {
        int n = 0;
        for (OpenStackCloud c : clouds()) {
            Ledger ledger = c.runtime().ledger();
            for (Map.Entry<String, Ledger.Launch> l : ledger.launching().entrySet()) {
                if (fastOnly && l.getValue() == Ledger.Launch.PROVISIONER) {
                    continue; // NodeProvisioner discounts its own planned nodes, not the fast path's nor spares
                }
                AgentTemplate t = ledger.get(l.getKey()).map(e -> c.getTemplate(e.template())).orElse(null);
                if (t != null && t.matches(label)) {
                    n += t.executorsPerAgent();
                }
            }
        }
        return n;
    }

    /**
     * Executors of agents expected to connect that no launch watches: agents of a previous Jenkins run (their
     * servers booted or booting when it stopped) and agents whose connection dropped. Not those an administrator
     * took offline, those marked for deletion, nor a single-use agent that already ran its build. One that never
     * connects is deleted by the cleanup after its connect timeout, and then no longer counted.
     */
    static int reconnecting(Label label) {
        if (label == null) {
            return 0;
        }
        Set<String> launching = launching();
        int n = 0;
        for (Node node : Hudson.getInstance().getNodes()) {
            if (!(node instanceof OpenStackAgent) || launching.contains(node.getNodeName()) || !label.matches(node)) {
                continue;
            }
            OpenStackAgent agent = (OpenStackAgent) node;
            Computer c = agent.toComputer();
            if (c instanceof OpenStackComputer && c.getChannel() == null && !c.isTemporarilyOffline()
                    && ((OpenStackComputer) c).getDeletionReason() == null
                    && !(agent.isSingleUse() && ((OpenStackComputer) c).isUsed())) {
                n += agent.getNumExecutors();
            }
        }
        return n;
    }

    /** A template of the label, with what one of its servers takes and how many creates it may have now. */
    private record Candidate(AgentTemplate template, Quota perServer, int allowed) {
    }

    /** What one cloud's reservations need from the cloud, read before deciding; no candidates when it cannot plan. */
    private record Prepared(LimitsSnapshot limits, List<Candidate> candidates) {
    }

    /**
     * Reads, without any lock, what deciding for this cloud and label needs from the cloud: the limits (and the
     * ledger rebuilt after a restart) and the flavor of each matching template. Problems are said once.
     */
    private static Prepared prepare(OpenStackCloud cloud, Label label) {
        return prepare(cloud, t -> t.matches(label));
    }

    private static Prepared prepare(OpenStackCloud cloud, java.util.function.Predicate<AgentTemplate> templates) {
        Prepared none = new Prepared(null, List.of());
        TemplateProblems problems = OpenStackCloud.descriptor().problems();
        try {
            jenkinsUrl(cloud);
            problems.planning(cloud.name, null, null);
        } catch (ProvisioningFailure e) { // a configuration problem: say it once, ask nothing of the cloud
            if (problems.planning(cloud.name, null, e.getMessage())) {
                LOGGER.warning(e.getMessage());
            }
            return none;
        }
        CloudRuntime rt = cloud.runtime();
        List<Candidate> candidates = new ArrayList<>();
        for (AgentTemplate t : cloud.getTemplates()) {
            if (!templates.test(t)) {
                continue;
            }
            int allowed = problems.allowed(cloud.name, t, Instant.now());
            if (allowed == 0) {
                LOGGER.fine(() -> "Cloud " + cloud.name + ": template " + t.getName() + " waits after Nova refused it");
                continue;
            }
            try {
                candidates.add(new Candidate(t, Quota.of(rt.snapshots().flavor(t.getFlavor())), allowed));
                problems.planning(cloud.name, t, null);
            } catch (ComputeException e) {
                cannotPlan(cloud, t, e);
            }
        }
        if (candidates.isEmpty()) {
            return none;
        }
        try {
            return new Prepared(rt.prepare(), candidates);
        } catch (ComputeException e) {
            LOGGER.fine(() -> "Cloud " + cloud.name + " cannot provision now: " + e.getMessage());
            return none;
        }
    }

    /** The gate already said when the cloud itself fails; a broken template is said once. */
    private static void cannotPlan(OpenStackCloud cloud, AgentTemplate t, ComputeException e) {
        if (e.is(ComputeException.Kind.PERMANENT)
                && OpenStackCloud.descriptor().problems().planning(cloud.name, t, e.getMessage())) {
            LOGGER.warning(() -> "Cloud " + cloud.name + " cannot start agents of template " + t.getName()
                    + ": " + e.getMessage());
        } else {
            LOGGER.fine(() -> "Cloud " + cloud.name + " cannot provision template " + t.getName() + " now: "
                    + e.getMessage());
        }
    }

    /** Reserves servers for {@code excess} executors of demand from what was prepared; asks the cloud nothing. */
    private static Reserved reserve(OpenStackCloud cloud, Prepared prepared, Label label, int excess,
                                    Ledger.Launch path) {
        List<AgentLaunch> launches = new ArrayList<>();
        Planner.Plan shortOfRoom = null;
        Quota perServer = null;
        CloudRuntime rt = cloud.runtime();
        for (Candidate c : prepared.candidates()) {
            if (excess <= 0) {
                break;
            }
            AgentTemplate t = c.template();
            int wanted = Demand.servers(excess, t.executorsPerAgent(), c.allowed());
            Planner.Plan plan = rt.reserve(new Planner.Request(t.getName(), c.perServer(), wanted, t.getInstanceCap(),
                    t.usesFloatingIp(), t.portsPerServer()),
                    cloud.getInstanceCap(), () -> newName(cloud, t), prepared.limits());
            for (String name : plan.reserved()) {
                rt.ledger().launchStarted(name, path);
                launches.add(new AgentLaunch(cloud, t, name, path == Ledger.Launch.FAST));
                excess -= t.executorsPerAgent();
            }
            if (!plan.isEmpty()) {
                LOGGER.info(() -> "Cloud " + cloud.name + " starts " + plan.reserved().size() + " agent(s) of template "
                        + t.getName() + " for " + label + " (wanted " + wanted + ")");
            }
            if (plan.reserved().size() < wanted
                    && (plan.bound() == Planner.Bound.QUOTA || plan.bound() == Planner.Bound.CLOUD_CAP)) {
                shortOfRoom = plan;
                perServer = c.perServer();
            }
        }
        return new Reserved(launches, excess > 0 ? shortOfRoom : null, perServer);
    }

    /**
     * Starts the spare agents one template misses ({@code missing}, counted under the lock, so two passes never
     * start the same spare twice), unless a build waits that this cloud could start an agent for (checked under the
     * same lock), as far as the caps and the quota allow. Returns why it started fewer, {@link Spares.Wait#NONE} if
     * nothing stopped it.
     */
    static Spares.Wait startSpares(OpenStackCloud cloud, AgentTemplate template, java.util.function.IntSupplier missing) {
        Prepared prepared = prepare(cloud, t -> t == template);
        if (prepared.candidates().isEmpty()) {
            return Spares.Wait.TEMPLATE; // the template cannot start now: its problem is said once, on the status page
        }
        Candidate c = prepared.candidates().get(0);
        CloudRuntime rt = cloud.runtime();
        List<AgentLaunch> launches = new ArrayList<>();
        Planner.Plan plan;
        synchronized (DECIDING) {
            if (demandWaits(cloud)) {
                return Spares.Wait.DEMAND;
            }
            int n = Math.min(missing.getAsInt(), c.allowed());
            if (template.getInstanceCap() > 0) {
                n = Math.min(n, template.getInstanceCap()
                        - rt.ledger().count(e -> e.template().equals(template.getName())));
            }
            if (n <= 0) {
                return Spares.Wait.NONE;
            }
            plan = rt.reserve(new Planner.Request(template.getName(), c.perServer(), n, template.getInstanceCap(),
                    template.usesFloatingIp(), template.portsPerServer()),
                    cloud.getInstanceCap(), () -> newName(cloud, template), prepared.limits());
            for (String name : plan.reserved()) {
                rt.ledger().launchStarted(name, Ledger.Launch.SPARE);
                launches.add(new AgentLaunch(cloud, template, name, true));
            }
        }
        if (!plan.isEmpty()) {
            LOGGER.info(() -> "Cloud " + cloud.name + " starts " + plan.reserved().size() + " spare agent(s) of template "
                    + template.getName());
        }
        for (AgentLaunch launch : launches) {
            Computer.threadPoolForRemoting.submit(launch);
        }
        switch (plan.bound()) {
            case QUOTA:
            case CLOUD_CAP:
                return Spares.Wait.NO_ROOM;
            case PAUSED:
                return Spares.Wait.PACING; // the runtime planned nothing now (a pause itself was asked before)
            default:
                return Spares.Wait.NONE;
        }
    }

    static String newName(OpenStackCloud cloud, AgentTemplate t) {
        StringBuilder sb = new StringBuilder(cloud.name).append('-').append(t.getName()).append('-');
        for (int i = 0; i < 6; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString().toLowerCase(Locale.ROOT);
    }

    /** The URL agents dial back to: the cloud's override, else Jenkins' own. */
    static String jenkinsUrl(OpenStackCloud cloud) throws ProvisioningFailure {
        String url = cloud.getJenkinsUrl() != null ? cloud.getJenkinsUrl() : Hudson.getInstance().getRootUrl();
        if (url == null) {
            throw new ProvisioningFailure("Jenkins does not know its own URL: set it in the system configuration or"
                    + " set 'Jenkins URL for agents' in cloud " + cloud.name);
        }
        return url.endsWith("/") ? url : url + "/";
    }
}
