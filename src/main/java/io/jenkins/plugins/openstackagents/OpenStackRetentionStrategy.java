package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.model.Descriptor;
import hudson.slaves.RetentionStrategy;
import java.util.concurrent.TimeUnit;

/**
 * Marks an agent for deletion once it has been idle for its template's idle minutes. Single-use agents are
 * marked when their build ends ({@link SingleUseListener}). It never deletes: {@link OpenStackCleanupWork} does.
 */
public class OpenStackRetentionStrategy extends RetentionStrategy<OpenStackComputer> {

    @Override
    public long check(OpenStackComputer c) {
        OpenStackAgent agent = c.getNode();
        if (agent == null || agent.isSingleUse() || c.getDeletionReason() != null) {
            return 1;
        }
        long idleMs = System.currentTimeMillis() - c.getIdleStartMilliseconds();
        if (c.isIdle() && c.isOnline() && idleMs > TimeUnit.MINUTES.toMillis(agent.getIdleMinutes())) {
            c.markForDeletion("idle for " + TimeUnit.MILLISECONDS.toMinutes(idleMs) + " min (limit "
                    + agent.getIdleMinutes() + " min)");
        }
        return 1;
    }

    /** Inbound agents connect by themselves: nothing to start. */
    @Override
    public void start(OpenStackComputer c) {
    }

    @Extension
    public static final class DescriptorImpl extends Descriptor<RetentionStrategy<?>> {
        @Override
        public String getDisplayName() {
            return "OpenStack agent retention";
        }
    }
}
