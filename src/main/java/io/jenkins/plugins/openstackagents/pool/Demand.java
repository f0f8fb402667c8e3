package io.jenkins.plugins.openstackagents.pool;

/**
 * How many executors the plugin still has to start for a label, from what Jenkins counts. NodeProvisioner's excess
 * workload already discounts the agents it waits for, not those the plugin's fast path started nor agents
 * reconnecting; and it is an average that lags the queue (after a wait at quota it stays high for a while), so it
 * is capped by the builds waiting now that nothing on its way will take.
 */
public final class Demand {

    private Demand() {
    }

    /**
     * For a NodeProvisioner round.
     *
     * @param fastOnTheWay executors being started by the plugin's fast path
     * @param onTheWay executors being started by either path
     * @param reconnecting executors of agents expected to connect that no launch watches
     */
    public static int forProvisioner(int excessWorkload, int fastOnTheWay, int onTheWay, int reconnecting,
                                     int waitingBuilds, int idleExecutors) {
        return Math.min(excessWorkload - fastOnTheWay - reconnecting,
                forWaiting(waitingBuilds, idleExecutors, onTheWay, reconnecting));
    }

    /** For the builds waiting now: those that neither an idle executor nor an agent on its way will take. */
    public static int forWaiting(int waitingBuilds, int idleExecutors, int onTheWay, int reconnecting) {
        return waitingBuilds - idleExecutors - onTheWay - reconnecting;
    }

    /** Servers of {@code executorsEach} executors for {@code executors} of demand, at most {@code allowed}. */
    public static int servers(int executors, int executorsEach, int allowed) {
        int each = Math.max(1, executorsEach);
        return Math.max(0, Math.min(allowed, (executors + each - 1) / each));
    }
}
