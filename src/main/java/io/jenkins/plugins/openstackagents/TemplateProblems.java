package io.jenkins.plugins.openstackagents;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Why agents of a cloud cannot start, each said once in the log and shown on the status page for as long as it
 * holds: a problem of the cloud's configuration, a template the planner cannot use (a flavor the cloud does not
 * have), and a template whose create Nova refused as such (400: an image that does not exist). Such a template is
 * not asked for again until {@link #RETRY} has passed, and then by one create only, or until it is changed.
 */
final class TemplateProblems {

    /** How long a template whose create Nova refused waits before one create tries it again (unless changed). */
    static final Duration RETRY = Duration.ofMinutes(5);

    /** A problem, for the template as configured when it was seen (null: the cloud's own). */
    private record Problem(AgentTemplate template, String message) {
    }

    /** Nova refused creates of this template; one create may try again from {@code retryAt}. */
    private record Refusal(AgentTemplate template, String message, Instant retryAt) {
    }

    private final Map<String, Problem> planning = new ConcurrentHashMap<>();
    private final Map<String, Refusal> refusals = new ConcurrentHashMap<>();

    private static String key(String cloud, AgentTemplate t) {
        return cloud + "/" + (t == null ? "" : t.getName());
    }

    /**
     * Records what keeps the planner from starting agents of a template (null template: of the cloud), or that
     * nothing does (null message). Returns whether the problem is new, i.e. worth a log line.
     */
    boolean planning(String cloud, AgentTemplate t, String message) {
        String k = key(cloud, t);
        if (message == null) {
            planning.remove(k);
            return false;
        }
        Problem before = planning.put(k, new Problem(t, message));
        return before == null || !before.message().equals(message) || !Objects.equals(before.template(), t);
    }

    /** Nova refused a create of this template as such. Returns whether the reason is new (worth a log line). */
    boolean refused(String cloud, AgentTemplate t, String reason, Instant now) {
        Refusal before = refusals.put(key(cloud, t), new Refusal(t, reason, now.plus(RETRY)));
        return before == null || !before.message().equals(reason) || !before.template().equals(t);
    }

    /** Nova created a server of this template: whatever it refused before no longer holds. */
    void created(String cloud, AgentTemplate t) {
        refusals.remove(key(cloud, t));
    }

    /**
     * How many servers of this template may be asked for now: any number, none while Nova's refusal holds, one
     * (the trial) once it is due; the next trial is then due {@link #RETRY} later.
     */
    int allowed(String cloud, AgentTemplate t, Instant now) {
        String k = key(cloud, t);
        Refusal r = refusals.get(k);
        if (r == null) {
            return Integer.MAX_VALUE;
        }
        if (!r.template().equals(t)) { // changed since: try it as it is now
            refusals.remove(k, r);
            return Integer.MAX_VALUE;
        }
        if (now.isBefore(r.retryAt())) {
            return 0;
        }
        return refusals.replace(k, r, new Refusal(t, r.message(), now.plus(RETRY))) ? 1 : 0;
    }

    /**
     * What keeps agents of this cloud from starting, one sentence each, the cloud's own first: only what holds for
     * its templates as they are configured now.
     */
    List<String> of(String cloud, List<AgentTemplate> templates) {
        List<String> r = new ArrayList<>();
        Problem own = planning.get(key(cloud, null));
        if (own != null) {
            r.add(own.message());
        }
        for (AgentTemplate t : templates) {
            Problem p = planning.get(key(cloud, t));
            if (p != null && t.equals(p.template())) {
                r.add("Template " + t.getName() + " cannot start agents: " + p.message());
            }
            Refusal f = refusals.get(key(cloud, t));
            if (f != null && t.equals(f.template())) {
                r.add("Template " + t.getName() + " cannot start agents: " + f.message() + " One create tries again "
                        + Times.readable(f.retryAt(), Instant.now()) + ", or when the template changes.");
            }
        }
        return r;
    }
}
