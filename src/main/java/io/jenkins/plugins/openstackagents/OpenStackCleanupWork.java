package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.model.AsyncPeriodicWork;
import hudson.model.Computer;
import hudson.model.Hudson;
import hudson.model.PeriodicWork;
import hudson.model.TaskListener;
import hudson.slaves.Cloud;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place that deletes servers. Each run is a list of named steps; each item is handled on its own, so one
 * bad server never stops the rest.
 */
@Extension
public class OpenStackCleanupWork extends AsyncPeriodicWork {

    private static final Logger LOGGER = Logger.getLogger(OpenStackCleanupWork.class.getName());

    public OpenStackCleanupWork() {
        super("OpenStack Agents cleanup");
    }

    @Override
    public long getRecurrencePeriod() {
        return TimeUnit.MINUTES.toMillis(1);
    }

    /** Runs the cleanup now (asynchronously), e.g. when a single-use build has finished. */
    static void trigger() {
        OpenStackCleanupWork w = PeriodicWork.all().get(OpenStackCleanupWork.class);
        if (w != null) {
            w.doRun();
        }
    }

    @Override
    protected void execute(TaskListener listener) {
        deleteMarkedAgents();
        confirmDeletions();
    }

    /** Agents marked for deletion (used, idle): delete the server and remove the agent. */
    private void deleteMarkedAgents() {
        for (Computer c : Hudson.getInstance().getComputers()) {
            if (!(c instanceof OpenStackComputer)) {
                continue;
            }
            OpenStackComputer oc = (OpenStackComputer) c;
            OpenStackAgent agent = oc.getNode();
            if (agent == null || oc.getDeletionReason() == null || !oc.isIdle()) {
                continue;
            }
            try {
                agent.terminate();
            } catch (Exception e) {
                LOGGER.log(Level.WARNING, "Could not remove agent " + agent.getNodeName(), e);
            }
        }
    }

    /** Servers being deleted: forget those Nova no longer knows, ask again for the others. */
    private void confirmDeletions() {
        for (Cloud cloud : Hudson.getInstance().clouds) {
            if (cloud instanceof OpenStackCloud) {
                try {
                    ((OpenStackCloud) cloud).runtime().confirmDeletions();
                } catch (RuntimeException e) {
                    LOGGER.log(Level.WARNING, "Cleanup of cloud " + cloud.name + " failed", e);
                }
            }
        }
    }
}
