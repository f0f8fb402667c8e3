package io.jenkins.plugins.openstackagents.pool;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * API calls to one cloud since start, by operation and outcome ("create ok", "create QUOTA_EXCEEDED", ...), and
 * how boots ended ("boot ACTIVE", "boot QUOTA_EXCEEDED" for Nova's late over-quota failure, "boot ERROR",
 * "boot TIMEOUT"), which are outcomes, not calls.
 */
public final class ApiStats {

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

    void record(String op, String outcome) {
        counts.computeIfAbsent(op + " " + outcome, k -> new LongAdder()).increment();
    }

    public long count(String op, String outcome) {
        LongAdder a = counts.get(op + " " + outcome);
        return a == null ? 0 : a.sum();
    }

    /** Calls that reached the cloud, whatever their outcome. */
    public long total() {
        long n = 0;
        for (Map.Entry<String, LongAdder> e : counts.entrySet()) {
            if (!e.getKey().startsWith("boot ")) {
                n += e.getValue().sum();
            }
        }
        return n;
    }

    public Map<String, Long> snapshot() {
        Map<String, Long> m = new TreeMap<>();
        counts.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }
}
