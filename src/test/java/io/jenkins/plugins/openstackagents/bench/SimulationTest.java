package io.jenkins.plugins.openstackagents.bench;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * Keeps the benchmark from rotting: a 20-minute simulation of the incident's shape (quota 10, builds arriving
 * faster than it serves them for 10 minutes, then quiet), this plugin's real pool code against the model of the
 * incident's node pool; and the spare-room goals of spare agents (builds start at once, nothing refused, no more
 * calls per build or idle requests than without), in half an hour of that workload.
 *
 * <p>This simulation found a bug the quota matrix had missed: {@code Planner.headroom} clamped at zero before it
 * added the quota released since the last limits read, and so over-reserved by one at times. Fixed; the plugin
 * now makes no refused create, which this test keeps so.
 */
public class SimulationTest {

    private static final Simulation.Scenario SHORT = Simulation.Scenario.incident()
            .withSeconds(600, 600, 300)
            .withLengths(5, 10, 60, 120)
            .withErrorRate(0); // no 5xx: the plugin's pauses have unseeded jitter, and this test must be exact

    /** Half an hour of the spare-room workload: builds one at a time, with room for spares under the quota. */
    private static final Simulation.Scenario ROOM = Simulation.Scenario.spareRoom()
            .withSeconds(1800, 900, 300)
            .withErrorRate(0);

    @Test
    public void withSpareRoomTwoSparesStartBuildsAtOnceWithNoRefusedCreateAndNoMoreIdleRequests() {
        Simulation.Result today = Simulation.run(ROOM, PluginPolicy::new);
        Simulation.Result spares = Simulation.run(ROOM, () -> new PluginPolicy(2));
        for (Simulation.Result r : new Simulation.Result[] {today, spares}) {
            System.out.println(r.policy() + ": wait p50/p95 " + r.waitP50() + "/" + r.waitP95() + " s, "
                    + r.requests() + ", builds " + r.completed() + "/" + r.arrived() + ", idle " + r.idleRpm()
                    + "/min");
        }

        assertTrue("builds arrived", spares.arrived() > 15);
        assertEquals("every build completed", spares.arrived(), spares.completed());
        assertTrue("without spares a build waits for a boot: p50 " + today.waitP50() + " s", today.waitP50() > 1);
        assertTrue("with spares a build starts at once: p50 " + spares.waitP50() + " s", spares.waitP50() <= 1);
        assertEquals("creates Nova refused without spares", 0, today.refused());
        assertEquals("creates Nova refused with spares", 0, spares.refused());
        assertEquals("the two spares are ready on Nova at the end", 2, spares.leftOnNova());
        assertTrue("calls per build: " + spares.callsPerBuild() + " against " + today.callsPerBuild(),
                spares.callsPerBuild() <= today.callsPerBuild() + 1);
        assertTrue("idle requests/min: " + spares.idleRpm() + " against " + today.idleRpm(),
                spares.idleRpm() <= today.idleRpm());
    }

    @Test
    public void thePluginServesEveryBuildWithNoRefusedCreateWhileTheIncidentsPoolIsRefused() {
        Simulation.Result plugin = Simulation.run(SHORT, PluginPolicy::new);
        Simulation.Result incident = Simulation.run(SHORT, IncidentNodepoolModel::new);
        for (Simulation.Result r : new Simulation.Result[] {plugin, incident}) {
            System.out.println(r.policy() + ": " + r.requests() + ", late 413: " + r.late413() + ", builds "
                    + r.completed() + "/" + r.arrived());
        }

        assertTrue("the workload saturates the quota", plugin.arrived() > 60);
        assertEquals("every build completed", plugin.arrived(), plugin.completed());
        assertEquals("no server left on Nova", 0, plugin.leftOnNova());
        assertTrue("idle load " + plugin.idleRpm() + "/min", plugin.idleRpm() <= 2);
        assertTrue("quota utilisation " + plugin.utilisation(), plugin.utilisation() >= 0.9);

        assertEquals("creates Nova refused (403 or late 413)", 0, plugin.refused());
        assertTrue("the incident's pool is refused", incident.refused() > 100);
        assertTrue("requests: plugin " + plugin.total() + ", incident model " + incident.total(),
                plugin.total() * 20 < incident.total());
    }
}
