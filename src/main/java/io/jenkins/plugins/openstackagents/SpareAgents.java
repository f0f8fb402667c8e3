package io.jenkins.plugins.openstackagents;

import hudson.model.Computer;
import hudson.model.Hudson;
import hudson.model.Label;
import hudson.model.Node;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.ImageRef;
import io.jenkins.plugins.openstackagents.pool.Ledger;
import io.jenkins.plugins.openstackagents.pool.Quota;
import io.jenkins.plugins.openstackagents.pool.Spares;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Spare agents: idle, online agents of a template kept ready before builds ask ({@link AgentTemplate#getSpareAgents}).
 * They come out of the same caps and quota as agents for waiting builds, and builds come first: none is started
 * while a build waits that the cloud could start an agent for, and at the quota the oldest idle spare of another
 * template is deleted to make room for a waiting build. A spare is an ordinary agent; what makes it one is only that
 * its template wants that many idle agents ready. Counted from the agents Jenkins has (saved with it, so a restart
 * starts none twice) and the launches under way.
 */
final class SpareAgents {

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
     * Why this idle spare is to be replaced now, or null: it was built from another image than the newest one its
     * template's image stands for (as last read), or it is older than the template's spare max age; and it is the
     * oldest such spare of the template, while all the template's spares are ready (one at a time: once it is
     * marked, the template is a spare short until the new one is online).
     */
    static String replacement(OpenStackComputer c, Instant now) {
        OpenStackAgent a = c.getNode();
        OpenStackCloud cloud = a == null ? null : a.getCloud();
        AgentTemplate t = cloud == null ? null : cloud.getTemplate(a.getTemplateName());
        if (t == null || t.getSpareAgents() <= 0 || !ready(c)) {
            return null;
        }
        String newest = cloud.runtime().snapshots().knownImageId(t.getImage());
        Ledger ledger = cloud.runtime().ledger();
        int ready = 0;
        OpenStackComputer oldest = null;
        Instant oldestAt = null;
        String why = null;
        for (OpenStackComputer other : computers(cloud, t.getName())) {
            if (!ready(other)) {
                continue;
            }
            ready++;
            Optional<Ledger.Entry> e = ledger.get(other.getName());
            String reason = e.isEmpty() ? null : outdated(other.getNode(), e.get(), t, newest, now);
            if (reason != null && (oldestAt == null || e.get().reservedAt().isBefore(oldestAt))) {
                oldest = other;
                oldestAt = e.get().reservedAt();
                why = reason;
            }
        }
        return oldest == c && ready >= t.getSpareAgents() ? why : null;
    }

    /** Why this spare is out of date, or null. */
    private static String outdated(OpenStackAgent a, Ledger.Entry e, AgentTemplate t, String newestImage,
                                   Instant now) {
        if (a != null && newestImage != null && a.getImageId() != null && !newestImage.equals(a.getImageId())) {
            return "spare agent built from image " + a.getImageId() + ", and the newest image '" + t.getImage()
                    + "' is now " + newestImage + ": replaced by a new one";
        }
        if (t.getSpareMaxAgeMinutes() > 0
                && e.reservedAt().plus(Duration.ofMinutes(t.getSpareMaxAgeMinutes())).isBefore(now)) {
            return "spare agent older than its template's spare max age (" + t.getSpareMaxAgeMinutes()
                    + " min): replaced by a new one";
        }
        return null;
    }

    /**
     * Reads the images again, when due, for templates with spares whose image is a name or a tag: so that spares of
     * an image that has a newer version are replaced even while no agent is created.
     */
    private static void refreshImages(OpenStackCloud cloud) {
        for (AgentTemplate t : cloud.getTemplates()) {
            if (t.getSpareAgents() > 0 && !new ImageRef(t.getImage()).isId()) {
                try {
                    cloud.runtime().snapshots().imageId(t.getImage());
                } catch (ComputeException e) {
                    return; // the next pass asks again; a create of this template would say why
                }
            }
        }
    }

    /** How many spares of this template are missing now (0 if it wants none). */
    private static int missing(OpenStackCloud cloud, AgentTemplate t) {
        Spares.Count c = counts(cloud).get(t.getName());
        return c == null ? 0 : c.missing();
    }

    /**
     * Starts the spares each template of the cloud is missing, unless a build waits that this cloud could start an
     * agent for, requests are paused, or there is no room; says why it waits (once, for a paused cloud or no room).
     * Run by each cleanup pass; one at a time per cloud.
     */
    static void replenish(OpenStackCloud cloud) {
        Spares spares = cloud.runtime().spares();
        if (!spares.begin()) {
            return;
        }
        try {
            replenishNow(cloud, spares);
        } finally {
            spares.done();
        }
    }

    private static void replenishNow(OpenStackCloud cloud, Spares spares) {
        refreshImages(cloud);
        List<AgentTemplate> short_ = new ArrayList<>();
        for (AgentTemplate t : cloud.getTemplates()) {
            if (missing(cloud, t) > 0) {
                short_.add(t);
            }
        }
        if (short_.isEmpty()) {
            spares.waiting(Spares.Wait.NONE, null);
            return;
        }
        String paused = cloud.runtime().pauseReason();
        if (paused != null) {
            spares.waiting(Spares.Wait.PAUSED, paused);
            return;
        }
        Spares.Wait wait = Spares.Wait.NONE;
        for (AgentTemplate t : short_) {
            Spares.Wait w = spares.mayStart(t.getName()) ? Provisioning.startSpares(cloud, t, () -> missing(cloud, t))
                    : Spares.Wait.TEMPLATE; // its last spares did not start: after a while
            if (w.ordinal() > wait.ordinal()) {
                wait = w; // the most telling reason: NO_ROOM over PAUSED over TEMPLATE over PACING over DEMAND
            }
        }
        spares.waiting(wait, null);
    }

    /**
     * A build waits for {@code label} and the quota (or the cloud's cap) left no room: deletes the oldest idle spare
     * of a template that cannot take that build, if its server's resources would give the build's template room
     * ({@code headroom} plus the spare's fits {@code perServer}), and no spare so deleted still counts.
     */
    static void makeRoom(OpenStackCloud cloud, Label label, Quota headroom, Quota perServer) {
        CloudRuntime rt = cloud.runtime();
        OpenStackComputer oldest = null;
        Instant oldestAt = null;
        for (AgentTemplate t : cloud.getTemplates()) {
            if (t.getSpareAgents() <= 0 || t.matches(label)) {
                continue;
            }
            for (OpenStackComputer c : computers(cloud, t.getName())) {
                Optional<Ledger.Entry> e = rt.ledger().get(c.getName());
                if (!ready(c) || e.isEmpty() || headroom.plus(e.get().resources()).count(perServer) < 1) {
                    continue;
                }
                if (oldest == null || e.get().reservedAt().isBefore(oldestAt)) {
                    oldest = c;
                    oldestAt = e.get().reservedAt();
                }
            }
        }
        if (oldest == null || !rt.spares().mayEvict(oldest.getName())) {
            return;
        }
        Node n = oldest.getNode();
        String template = n instanceof OpenStackAgent ? ((OpenStackAgent) n).getTemplateName() : "?";
        if (!oldest.markForDeletion("spare agent of template " + template + ", deleted to make room for a build"
                + " waiting for " + label + " (" + (rt.spares().evictions()) + " so far)")) {
            rt.spares().notEvicted(oldest.getName());
            return;
        }
        OpenStackCleanupWork.trigger();
    }
}
