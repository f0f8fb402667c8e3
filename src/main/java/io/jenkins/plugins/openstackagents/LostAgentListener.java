package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.model.AbstractBuild;
import hudson.model.AbstractProject;
import hudson.model.Cause;
import hudson.model.Result;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.listeners.RunListener;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A build that failed because its agent was lost (the agent process or its server died, the connection closed),
 * single-use or not, is queued once more, so that it runs on another agent rather than being lost; the lost agent
 * is deleted. Runs before {@link SingleUseListener} (a higher ordinal), whose deletion of a used single-use agent
 * would otherwise hide that its connection was lost.
 */
@Extension(ordinal = 100)
public class LostAgentListener extends RunListener<Run> {

    private static final Logger LOGGER = Logger.getLogger(LostAgentListener.class.getName());

    static {
        // builds saved while this cause was a member of SingleUseListener still read
        Run.XSTREAM.alias("io.jenkins.plugins.openstackagents.SingleUseListener$AgentLost", AgentLost.class);
    }

    public LostAgentListener() {
        super(Run.class);
    }

    @Override
    public void onCompleted(Run r, TaskListener listener) {
        OpenStackComputer c = SingleUseListener.computerOf(r);
        if (c != null && r.getResult() != null && r.getResult().isWorseThan(Result.SUCCESS) && connectionLost(c)) {
            queueAgain(r, c);
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
        String outcome;
        if (project.scheduleBuild(0, new AgentLost(c.getName(), r.getFullDisplayName()))) {
            outcome = "queued again";
        } else if (project.isDisabled()) {
            outcome = "not queued again: " + project.getFullName() + " is disabled";
        } else {
            outcome = "a build of " + project.getFullName() + " is already queued";
        }
        LOGGER.info(r.getFullDisplayName() + " lost its agent " + c.getName() + " (connection closed during the "
                + "build); " + outcome);
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

}
