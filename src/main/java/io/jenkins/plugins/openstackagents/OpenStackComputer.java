package io.jenkins.plugins.openstackagents;

import hudson.slaves.AbstractCloudComputer;
import hudson.slaves.OfflineCause;
import java.util.logging.Logger;

/** The running side of an {@link OpenStackAgent}: knows whether it was used and whether it awaits deletion. */
public class OpenStackComputer extends AbstractCloudComputer<OpenStackAgent> {

    private static final Logger LOGGER = Logger.getLogger(OpenStackComputer.class.getName());

    private volatile String deletionReason;
    private boolean connectedWhenSeen; // guarded by this
    private long seenSince; // guarded by this; 0: not yet seen

    public OpenStackComputer(OpenStackAgent agent) {
        super(agent);
    }

    /** Whether a build started on it, in this Jenkins' life or (single-use agents) before a restart. */
    public boolean isUsed() {
        OpenStackAgent agent = getNode();
        return agent != null && agent.isUsed();
    }

    void markUsed() {
        OpenStackAgent agent = getNode();
        if (agent != null) {
            agent.markUsed();
        }
    }

    /**
     * How long the agent has been disconnected, as observed by the calls of this and {@link #connectedFor} (0 while
     * connected). Its first connection, a reconnection after a Jenkins restart, and a lost connection all count
     * alike.
     */
    long disconnectedFor(long now) {
        return timeSeen(false, now);
    }

    /** How long the agent has been connected, as observed likewise (0 while disconnected). */
    long connectedFor(long now) {
        return timeSeen(true, now);
    }

    /** Time since the calls first saw the agent in its current state, if that state is {@code connected}, else 0. */
    private synchronized long timeSeen(boolean connected, long now) {
        boolean is = getChannel() != null;
        if (seenSince == 0 || is != connectedWhenSeen) {
            connectedWhenSeen = is;
            seenSince = now;
        }
        return is == connected ? now - seenSince : 0;
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
