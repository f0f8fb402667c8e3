package io.jenkins.plugins.openstackagents;

import hudson.model.Label;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents being started right now (server requested, booting, or agent not yet connected), of every cloud,
 * so that the two ways demand reaches the plugin, NodeProvisioner's rounds and {@link FastProvisioner}, never
 * start two servers for one waiting build; and the last problem of each template, so it is logged once.
 */
final class Launches {

    private record Launch(AgentTemplate template, boolean fast) {
    }

    /** Nova refused to create a server of this template (as configured then) until then. */
    private record Refusal(AgentTemplate template, java.time.Instant until) {
    }

    private final Map<String, Launch> running = new ConcurrentHashMap<>();
    private final Map<String, String> problems = new ConcurrentHashMap<>();
    private final Map<String, Refusal> refusals = new ConcurrentHashMap<>();

    void started(String agentName, AgentTemplate template, boolean fast) {
        running.put(agentName, new Launch(template, fast));
    }

    void ended(String agentName) {
        running.remove(agentName);
    }

    /**
     * Records the current problem of a template (null: none). Returns whether it is new, i.e. worth a log line.
     */
    boolean problem(String cloud, String template, String message) {
        String key = cloud + "/" + template;
        String before = message == null ? problems.remove(key) : problems.put(key, message);
        return message != null && !message.equals(before);
    }

    /**
     * Nova refused to create a server of this template for a reason that will not pass by itself (an image or network
     * that does not exist, say): no server of it is asked for until {@code until}, or until its configuration
     * changes. Returns whether the reason is new, i.e. worth a log line.
     */
    boolean refused(String cloud, AgentTemplate template, String message, java.time.Instant until) {
        refusals.put(cloud + "/" + template.getName(), new Refusal(template, until));
        return problem(cloud, template.getName(), message);
    }

    /** Whether servers of this template may not be asked for now (see {@link #refused}). */
    boolean isRefused(String cloud, AgentTemplate template, java.time.Instant now) {
        String key = cloud + "/" + template.getName();
        Refusal r = refusals.get(key);
        if (r == null) {
            return false;
        }
        if (!r.template().equals(template) || !now.isBefore(r.until())) {
            refusals.remove(key, r);
            return false;
        }
        return true;
    }

    /** The current problem of each template of a cloud, by template name ("" for the cloud itself). */
    Map<String, String> problems(String cloud) {
        Map<String, String> r = new java.util.TreeMap<>();
        String prefix = cloud + "/";
        for (Map.Entry<String, String> e : problems.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                r.put(e.getKey().substring(prefix.length()), e.getValue());
            }
        }
        return r;
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
