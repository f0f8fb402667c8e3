package io.jenkins.plugins.openstackagents;

import hudson.model.Computer;
import hudson.model.Hudson;
import hudson.model.Label;
import hudson.model.Node;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.Planner;
import io.jenkins.plugins.openstackagents.pool.Spares;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Spare agents: idle, online agents of a template kept ready before builds ask ({@link AgentTemplate#getSpareAgents}).
 * They come out of the same caps and quota as agents for waiting builds, and builds come first: none is started
 * while a build waits that the cloud could start an agent for, and at the quota the oldest idle spare of another
 * template is deleted to make room for a waiting build. A spare is an ordinary agent; what makes it one is only that
 * its template wants that many idle agents ready. Counted from the agents Jenkins has (saved with it, so a restart
 * starts none twice) and the launches under way.
 */
final class SpareAgents {

    private static final Logger LOGGER = Logger.getLogger(SpareAgents.class.getName());

    private SpareAgents() {
    }

    /** An agent that could take a build of its template now, or will once it is online; null if neither. */
    private static boolean ready(OpenStackComputer c) {
        OpenStackAgent a = c.getNode();
        return a != null && c.isOnline() && c.isIdle() && available(c);
    }

    /** Not marked for deletion, not taken offline by a person, not a single-use agent that ran its build. */
    private static boolean available(OpenStackComputer c) {
        OpenStackAgent a = c.getNode();
        return a != null && c.getDeletionReason() == null && !c.isTemporarilyOffline()
                && !(a.isSingleUse() && c.isUsed());
    }

    /** The computers of this cloud's agents of one template. */
    private static List<OpenStackComputer> computers(OpenStackCloud cloud, String template) {
        List<OpenStackComputer> r = new ArrayList<>();
        for (Computer c : Hudson.getInstance().getComputers()) {
            if (c instanceof OpenStackComputer) {
                OpenStackAgent a = ((OpenStackComputer) c).getNode();
                if (a != null && cloud.name.equals(a.getCloudName()) && template.equals(a.getTemplateName())) {
                    r.add((OpenStackComputer) c);
                }
            }
        }
        return r;
    }

    /** Each template's spares that wants any: wanted, ready (online and idle), starting. */
    static Map<String, Spares.Count> counts(OpenStackCloud cloud) {
        Map<String, Spares.Count> r = new LinkedHashMap<>();
        Set<String> launching = Provisioning.launching();
        Map<String, Integer> spareLaunches = cloud.runtime().spares().starting(t -> true);
        for (AgentTemplate t : cloud.getTemplates()) {
            if (t.getSpareAgents() <= 0) {
                continue;
            }
            int ready = 0;
            int reconnecting = 0;
            for (OpenStackComputer c : computers(cloud, t.getName())) {
                if (ready(c)) {
                    ready++;
                } else if (c.getChannel() == null && available(c) && !launching.contains(c.getName())) {
                    reconnecting++; // after a restart, or a dropped connection: it comes back as it was
                }
            }
            r.put(t.getName(), new Spares.Count(t.getSpareAgents(), ready,
                    spareLaunches.getOrDefault(t.getName(), 0) + reconnecting));
        }
        return r;
    }

    /** Whether this idle agent is one of the spares its template wants (idle minutes do not remove it then). */
    static boolean keeps(OpenStackComputer c) {
        OpenStackAgent a = c.getNode();
        if (a == null || !ready(c)) {
            return false;
        }
        OpenStackCloud cloud = a.getCloud();
        AgentTemplate t = cloud == null ? null : cloud.getTemplate(a.getTemplateName());
        if (t == null || t.getSpareAgents() <= 0) {
            return false;
        }
        int ready = 0;
        for (OpenStackComputer other : computers(cloud, t.getName())) {
            if (ready(other)) {
                ready++;
            }
        }
        return ready <= t.getSpareAgents();
    }

    /**
     * Starts the spares each template of the cloud is missing, unless a build waits that this cloud could start an
     * agent for, requests are paused, or there is no room; says why it waits (once, for a paused cloud or no room).
     * Run by each cleanup pass.
     */
    static void replenish(OpenStackCloud cloud) {
        Map<String, Spares.Count> counts = counts(cloud);
        Spares spares = cloud.runtime().spares();
        boolean missing = false;
        for (Spares.Count c : counts.values()) {
            missing |= c.missing() > 0;
        }
        if (!missing) {
            spares.waiting(Spares.Wait.NONE, null);
            return;
        }
        for (Label label : Provisioning.waitingBuilds().keySet()) {
            if (cloud.canProvision(label)) {
                spares.waiting(Spares.Wait.DEMAND, null);
                return;
            }
        }
        CloudRuntime rt = cloud.runtime();
        String paused = rt.pauseReason();
        if (paused != null) {
            spares.waiting(Spares.Wait.PAUSED, paused);
            return;
        }
        Spares.Wait wait = Spares.Wait.NONE;
        for (Map.Entry<String, Spares.Count> e : counts.entrySet()) {
            AgentTemplate t = cloud.getTemplate(e.getKey());
            if (t == null || e.getValue().missing() <= 0) {
                continue;
            }
            Planner.Bound bound = Provisioning.startSpares(cloud, t, e.getValue().missing());
            if (bound == Planner.Bound.QUOTA || bound == Planner.Bound.CLOUD_CAP || bound == Planner.Bound.TEMPLATE_CAP) {
                wait = Spares.Wait.NO_ROOM;
            } else if (bound == Planner.Bound.PAUSED && wait == Spares.Wait.NONE) {
                wait = Spares.Wait.PACING; // the runtime planned nothing now (not paused: that was asked above)
            }
        }
        spares.waiting(wait, null);
    }

    /**
     * A build waits for {@code label} and the quota (or the cloud's cap) leaves no room: deletes the oldest idle
     * spare of a template that cannot take that build, if there is one, and no spare so deleted still counts.
     */
    static void makeRoom(OpenStackCloud cloud, Label label) {
        OpenStackComputer oldest = null;
        for (AgentTemplate t : cloud.getTemplates()) {
            if (t.getSpareAgents() <= 0 || t.matches(label)) {
                continue;
            }
            for (OpenStackComputer c : computers(cloud, t.getName())) {
                if (ready(c) && (oldest == null || c.getConnectTime() < oldest.getConnectTime())) {
                    oldest = c;
                }
            }
        }
        if (oldest == null || !cloud.runtime().spares().mayEvict(oldest.getName())) {
            return;
        }
        Node n = oldest.getNode();
        String template = n instanceof OpenStackAgent ? ((OpenStackAgent) n).getTemplateName() : "?";
        oldest.markForDeletion("spare agent of template " + template + ", deleted to make room for a build waiting for "
                + label);
        OpenStackCleanupWork.trigger();
        LOGGER.fine(() -> "Cloud " + cloud.name + ": " + cloud.runtime().spares().evictions()
                + " spare(s) deleted to make room so far");
    }
}
