package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.model.Descriptor;
import hudson.slaves.RetentionStrategy;
import java.util.concurrent.TimeUnit;

/**
 * Marks an agent for deletion once it has been idle for its template's idle minutes. Single-use agents are
 * marked when their build ends ({@link SingleUseListener}), or here: when one is idle after it ran a build before a
 * restart, or when no build took it for as long as the default idle minutes. An idle agent its template keeps as a
 * spare ({@link SpareAgents#keeps}) stays, unless it is to be replaced ({@link SpareAgents#replacement}). It never
 * deletes:
 * {@link OpenStackCleanupWork} does.
 */
public class OpenStackRetentionStrategy extends RetentionStrategy<OpenStackComputer> {

    /** How long a single-use agent that no build took is kept online: as long as the default idle minutes. */
    static volatile long unusedSingleUseMs = TimeUnit.MINUTES.toMillis(AgentTemplate.DEFAULT_IDLE_MINUTES);

    /** What a spare's age is measured against (tests move it on). */
    static volatile java.time.Clock clock = java.time.Clock.systemUTC();

    @Override
    public long check(OpenStackComputer c) {
        OpenStackAgent agent = c.getNode();
        if (agent == null || c.getDeletionReason() != null) {
            return 1;
        }
        String replaced = SpareAgents.replacement(c, clock.instant());
        if (replaced != null) {
            c.markForDeletion(replaced);
            OpenStackCleanupWork.trigger();
            return 1;
        }
        long idleMs = System.currentTimeMillis() - c.getIdleStartMilliseconds();
        boolean spare = SpareAgents.keeps(c); // one of the idle agents its template keeps ready
        if (agent.isSingleUse()) {
            long now = System.currentTimeMillis();
            c.observe(now);
            long onlineMs = c.connectedFor(now);
            // normally marked when its build ends; this one ran a build before Jenkins restarted
            if (c.isUsed() && c.isIdle()) {
                c.markForDeletion("single-use agent ran a build before Jenkins restarted");
                OpenStackCleanupWork.trigger();
            } else if (!c.isUsed() && c.isIdle() && onlineMs > unusedSingleUseMs && !spare) {
                // started for a build that was cancelled, or that another agent took first
                c.markForDeletion("single-use agent took no build in its first "
                        + TimeUnit.MILLISECONDS.toMinutes(onlineMs) + " min online (limit "
                        + TimeUnit.MILLISECONDS.toMinutes(unusedSingleUseMs) + " min)");
                OpenStackCleanupWork.trigger();
            }
            return 1;
        }
        if (c.isIdle() && c.isOnline() && idleMs > TimeUnit.MINUTES.toMillis(agent.getIdleMinutes()) && !spare) {
            c.markForDeletion("idle for " + TimeUnit.MILLISECONDS.toMinutes(idleMs) + " min (limit "
                    + agent.getIdleMinutes() + " min)");
        }
        return 1;
    }

    /**
     * Inbound agents connect by themselves: nothing to start. An SSH agent whose server was ACTIVE before (a restart
     * of Jenkins ended its agent) is connected again; a new one is connected by its launch, once its server is.
     */
    @Override
    public void start(OpenStackComputer c) {
        OpenStackAgent agent = c.getNode();
        if (agent != null && agent.sshLauncher() != null && agent.sshAddress() != null
                && c.getDeletionReason() == null && agent.sshLauncher().hostKeyRefusal() == null) {
            c.connect(false);
        }
    }

    @Extension
    public static final class DescriptorImpl extends Descriptor<RetentionStrategy<?>> {
        @Override
        public String getDisplayName() {
            return "OpenStack agent retention";
        }
    }
}
