package io.jenkins.plugins.openstackagents;

import hudson.model.Executor;
import hudson.model.Queue;
import hudson.slaves.AbstractCloudComputer;
import hudson.slaves.OfflineCause;
import java.util.logging.Logger;

/** The running side of an {@link OpenStackAgent}: knows whether it was used and whether it awaits deletion. */
public class OpenStackComputer extends AbstractCloudComputer<OpenStackAgent> {

    private static final Logger LOGGER = Logger.getLogger(OpenStackComputer.class.getName());

    private volatile String lastDeletionReason; // the agent's, for after it is removed
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
     * One of its executors took a task: it is used. Where a task runs is known here for every kind of task; a
     * Pipeline's {@code node {}} block, say, runs on this computer's executor while its build (whose
     * {@code getExecutor()} {@link SingleUseListener} reads) runs on the controller's flyweight executor.
     */
    @Override
    public void taskAccepted(Executor executor, Queue.Task task) {
        super.taskAccepted(executor, task);
        markUsed();
    }

    @Override
    public void taskCompleted(Executor executor, Queue.Task task, long durationMS) {
        super.taskCompleted(executor, task, durationMS);
        singleUseDone(task);
    }

    @Override
    public void taskCompletedWithProblems(Executor executor, Queue.Task task, long durationMS, Throwable problems) {
        super.taskCompletedWithProblems(executor, task, durationMS, problems);
        singleUseDone(task);
    }

    /** A single-use agent's task ended: it is deleted once idle (a build's own reason, said first, counts). */
    private void singleUseDone(Queue.Task task) {
        OpenStackAgent agent = getNode();
        if (agent != null && agent.isSingleUse()) {
            markForDeletion("single-use agent finished " + task.getFullDisplayName());
            SingleUseListener.deleteWhenIdle(this);
        }
    }

    /**
     * Notes whether the agent is connected now. The times below count from the first observation that saw it in its
     * current state: its first connection, a reconnection after a Jenkins restart, and a lost connection alike.
     */
    synchronized void observe(long now) {
        boolean is = getChannel() != null;
        if (seenSince == 0 || is != connectedWhenSeen) {
            connectedWhenSeen = is;
            seenSince = now;
        }
    }

    /** How long the agent has been seen disconnected (0 while connected, or before any observation). */
    synchronized long disconnectedFor(long now) {
        return seenSince != 0 && !connectedWhenSeen ? now - seenSince : 0;
    }

    /** How long the agent has been seen connected (0 while disconnected, or before any observation). */
    synchronized long connectedFor(long now) {
        return seenSince != 0 && connectedWhenSeen ? now - seenSince : 0;
    }

    /** Why this agent is to be deleted, or null (kept by the agent, so it survives a restart; here once it is gone). */
    public String getDeletionReason() {
        OpenStackAgent agent = getNode();
        return agent != null ? agent.getDeletionReason() : lastDeletionReason;
    }

    /**
     * Marks the agent for deletion: it takes no more builds and shows why; the cleanup work deletes it. Only the
     * first reason counts (false for a later one).
     */
    boolean markForDeletion(String reason) {
        OpenStackAgent agent = getNode();
        if (agent == null || !agent.markForDeletion(reason)) {
            return false;
        }
        lastDeletionReason = reason;
        LOGGER.info("Agent " + getName() + " marked for deletion: " + reason);
        try {
            setTemporarilyOffline(true, new PendingDeletion(reason));
        } catch (IllegalStateException e) {
            // current Jenkins keeps the cause on the node and refuses once the node is removed: nothing left to show
            LOGGER.fine("Agent " + getName() + " was removed before its offline cause was set: " + e.getMessage());
        }
        return true;
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
