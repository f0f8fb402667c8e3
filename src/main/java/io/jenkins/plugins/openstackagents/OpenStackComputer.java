package io.jenkins.plugins.openstackagents;

import hudson.slaves.AbstractCloudComputer;
import hudson.slaves.OfflineCause;
import java.util.logging.Logger;

/** The running side of an {@link OpenStackAgent}: knows whether it was used and whether it awaits deletion. */
public class OpenStackComputer extends AbstractCloudComputer<OpenStackAgent> {

    private static final Logger LOGGER = Logger.getLogger(OpenStackComputer.class.getName());

    private volatile boolean used;
    private volatile String deletionReason;
    private volatile long disconnectedSince;
    private volatile long connectedSince;

    public OpenStackComputer(OpenStackAgent agent) {
        super(agent);
    }

    /** Whether a build started on it, in this Jenkins' life or (single-use agents) before a restart. */
    public boolean isUsed() {
        OpenStackAgent agent = getNode();
        return used || (agent != null && agent.isUsed());
    }

    void markUsed() {
        used = true;
        OpenStackAgent agent = getNode();
        if (agent != null) {
            agent.markUsed();
        }
    }

    /**
     * How long the agent has been disconnected, as observed by the cleanup's ticks (0 while connected). Its first
     * connection, a reconnection after a Jenkins restart, and a lost connection all count alike.
     */
    long disconnectedFor(long now) {
        if (getChannel() != null) {
            disconnectedSince = 0;
            return 0;
        }
        if (disconnectedSince == 0) {
            disconnectedSince = now;
        }
        return now - disconnectedSince;
    }

    /**
     * How long the agent has been connected, as observed by the calls (0 while disconnected; the first call that
     * sees it connected starts the count).
     */
    long connectedFor(long now) {
        if (getChannel() == null) {
            connectedSince = 0;
            return 0;
        }
        if (connectedSince == 0) {
            connectedSince = now;
        }
        return now - connectedSince;
    }

    /** Why this agent is to be deleted, or null. */
    public String getDeletionReason() {
        return deletionReason;
    }

    /**
     * Marks the agent for deletion: it takes no more builds and shows why; the cleanup work deletes it. Only the
     * first reason counts.
     */
    void markForDeletion(String reason) {
        synchronized (this) {
            if (deletionReason != null) {
                return;
            }
            deletionReason = reason;
        }
        LOGGER.info("Agent " + getName() + " marked for deletion: " + reason);
        setTemporarilyOffline(true, new PendingDeletion(reason));
    }

    /** The offline cause shown on the agent's page. */
    public static final class PendingDeletion extends OfflineCause {
        private final String reason;

        PendingDeletion(String reason) {
            this.reason = reason;
        }

        @Override
        public String toString() {
            return "Pending deletion: " + reason;
        }
    }
}
