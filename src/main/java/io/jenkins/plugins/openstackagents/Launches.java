package io.jenkins.plugins.openstackagents;

import hudson.model.Label;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents being started right now (server requested, booting, or agent not yet connected), of every cloud,
 * so that the two ways demand reaches the plugin, NodeProvisioner's rounds and {@link FastProvisioner}, never
 * start two servers for one waiting build.
 */
final class Launches {

    private record Launch(AgentTemplate template, boolean fast) {
    }

    private final Map<String, Launch> running = new ConcurrentHashMap<>();

    void started(String agentName, AgentTemplate template, boolean fast) {
        running.put(agentName, new Launch(template, fast));
    }

    void ended(String agentName) {
        running.remove(agentName);
    }

    /** The agents being started now. */
    java.util.Set<String> names() {
        return java.util.Set.copyOf(running.keySet());
    }

    /** Executors on their way for builds of this label; only those started outside NodeProvisioner if asked. */
    int executors(Label label, boolean fastOnly) {
        int n = 0;
        for (Launch l : running.values()) {
            if ((!fastOnly || l.fast()) && l.template().matches(label)) {
                n += l.template().getNumExecutors();
            }
        }
        return n;
    }
}
