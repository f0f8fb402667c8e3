package io.jenkins.plugins.openstackagents.bench;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The Jenkins side, the same for every policy: builds arrive, wait in a FIFO queue, and start as soon as an agent
 * is online and idle; each agent is single-use, so it runs one build and is then handed back to its policy.
 * Live, for the models (LiveBenchmarkIT), a build is the agent's server held ACTIVE for the build's length. Every
 * method runs on the timeline's thread.
 */
final class BuildQueue {

    /** A build of the workload: arrival time and length, in seconds of the timeline. */
    record Build(int id, double arrival, double length) {
    }

    /** An online agent; told when its one build has ended. */
    @FunctionalInterface
    interface Agent {
        void buildEnded();
    }

    private final Timeline vt;
    private final Deque<Build> waiting = new ArrayDeque<>();
    private final Deque<Agent> idle = new ArrayDeque<>();
    final List<Double> waits = new ArrayList<>();
    int running;
    int arrived;
    int completed;

    BuildQueue(Timeline vt) {
        this.vt = vt;
    }

    void arrive(Build b) {
        arrived++;
        waiting.add(b);
        match();
    }

    void agentOnline(Agent a) {
        idle.add(a);
        match();
    }

    int waiting() {
        return waiting.size();
    }

    int idle() {
        return idle.size();
    }

    private void match() {
        while (!waiting.isEmpty() && !idle.isEmpty()) {
            Build b = waiting.poll();
            Agent a = idle.poll();
            waits.add(Math.max(0, vt.seconds() - b.arrival())); // the clock's sum can fall short by 1e-10
            running++;
            vt.after(b.length(), () -> {
                running--;
                completed++;
                a.buildEnded();
            });
        }
    }
}
