package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.model.Computer;
import hudson.model.Executor;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.model.listeners.RunListener;
import java.util.concurrent.TimeUnit;

/**
 * Single-use agents: refuse a second build as soon as the first starts, and have the server deleted within
 * seconds of the build's end, so that its quota is free for the next build. For a build that runs on the agent's
 * executor (freestyle, matrix); a task the agent's executor runs for a build elsewhere (a Pipeline's {@code node}
 * block) is seen by {@link OpenStackComputer#taskAccepted} and {@link OpenStackComputer#taskCompleted}.
 */
@Extension
public class SingleUseListener extends RunListener<Run> {

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
        if (c != null && c.getNode() != null && c.getNode().isSingleUse()) {
            c.markForDeletion("single-use agent finished " + r.getFullDisplayName());
            deleteWhenIdle(c);
        }
    }

    /** Has the cleanup run once the computer's executors are idle (within a minute). */
    static void deleteWhenIdle(OpenStackComputer c) {
        Computer.threadPoolForRemoting.submit(new DeleteWhenIdle(c));
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

    static OpenStackComputer computerOf(Run r) {
        Executor e = r.getExecutor();
        Computer c = e != null ? e.getOwner() : null;
        return c instanceof OpenStackComputer ? (OpenStackComputer) c : null;
    }
}
