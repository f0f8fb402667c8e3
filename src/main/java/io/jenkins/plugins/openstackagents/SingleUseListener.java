package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.model.AbstractBuild;
import hudson.model.AbstractProject;
import hudson.model.Cause;
import hudson.model.Computer;
import hudson.model.Executor;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.listeners.RunListener;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Single-use agents: refuse a second build as soon as the first starts, and have the server deleted within
 * seconds of the build's end, so that its quota is free for the next build. And a build that failed because its
 * agent was lost (the agent process or its server died, the connection closed) is queued once more, so that it
 * runs on another agent rather than being lost; the lost agent is deleted.
 */
@Extension
public class SingleUseListener extends RunListener<Run> {

    private static final Logger LOGGER = Logger.getLogger(SingleUseListener.class.getName());

    public SingleUseListener() {
        super(Run.class);
    }

    @Override
    public void onStarted(Run r, TaskListener listener) {
        OpenStackComputer c = computerOf(r);
        if (c != null) {
            c.markUsed();
        }
    }

    @Override
    public void onCompleted(Run r, TaskListener listener) {
        OpenStackComputer c = computerOf(r);
        if (c != null && r.getResult() != null && r.getResult().isWorseThan(Result.SUCCESS) && connectionLost(c)) {
            queueAgain(r, c);
        }
        if (c != null && c.getNode() != null && c.getNode().isSingleUse()) {
            c.markForDeletion("single-use agent finished " + r.getFullDisplayName());
            Computer.threadPoolForRemoting.submit(new DeleteWhenIdle(c));
        }
    }

    /** How long a failed build's agent is given to show that its connection closed with the build. */
    static final long LOST_CONNECTION_WAIT_MS = 3000;

    /**
     * Whether the agent's connection closed by itself: a build that fails because its agent died sees its channel
     * close at about the same moment, so a failed build waits a moment for that. Not when the plugin itself is
     * deleting the agent.
     */
    private static boolean connectionLost(OpenStackComputer c) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LOST_CONNECTION_WAIT_MS);
        try {
            while (c.getChannel() != null && System.nanoTime() - deadline < 0) {
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return c.getChannel() == null && c.getDeletionReason() == null;
    }

    /** Queues the build's project once more (not a build that was itself such a second try) and drops the agent. */
    private static void queueAgain(Run r, OpenStackComputer c) {
        c.markForDeletion("its connection was lost during " + r.getFullDisplayName());
        OpenStackCleanupWork.trigger();
        if (!(r instanceof AbstractBuild) || r.getCause(AgentLost.class) != null) {
            LOGGER.info(r.getFullDisplayName() + " lost its agent " + c.getName() + "; not queued again");
            return;
        }
        AbstractProject<?, ?> project = ((AbstractBuild<?, ?>) r).getProject();
        boolean queued = project.scheduleBuild(0, new AgentLost(c.getName(), r.getFullDisplayName()));
        LOGGER.info(r.getFullDisplayName() + " lost its agent " + c.getName() + " (connection closed during the "
                + "build); " + (queued ? "queued again" : "a build of " + project.getFullName() + " is already queued"));
    }

    /** Why a build was queued again: the agent of an earlier try was lost. */
    public static final class AgentLost extends Cause {
        private final String agent;
        private final String build;

        public AgentLost(String agent, String build) {
            this.agent = agent;
            this.build = build;
        }

        public String getAgent() {
            return agent;
        }

        @Override
        public String getShortDescription() {
            return "Queued again by OpenStack Agents: agent " + agent + " was lost during " + build;
        }
    }

    /** The build's executor is still busy while listeners run: wait for it to free up, then clean up. */
    private static final class DeleteWhenIdle implements Runnable {
        private final OpenStackComputer computer;

        DeleteWhenIdle(OpenStackComputer computer) {
            this.computer = computer;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            try {
                while (!computer.isIdle() && System.nanoTime() - deadline < 0) {
                    Thread.sleep(100);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            OpenStackCleanupWork.trigger();
        }
    }

    private static OpenStackComputer computerOf(Run r) {
        Executor e = r.getExecutor();
        Computer c = e != null ? e.getOwner() : null;
        return c instanceof OpenStackComputer ? (OpenStackComputer) c : null;
    }
}
