package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.LimitsSnapshot;
import io.jenkins.plugins.openstackagents.pool.Planner;
import io.jenkins.plugins.openstackagents.pool.Quota;
import io.jenkins.plugins.openstackagents.pool.Spares;
import java.util.List;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The replenishing of spare agents in one cleanup pass, for {@link PluginPolicy}'s one template, the way
 * {@code SpareAgents.replenish} and {@code Provisioning.startSpares} do it on the real {@link CloudRuntime}: the
 * spares missing are those wanted less the idle online agents and the spare launches on their way
 * ({@link Spares#starting}); none is started while requests are paused, while the last spare that did not start
 * makes the next one wait ({@link Spares#mayStart}), or while a build waits that nothing idle or on its way will
 * take; what is missing goes to the same {@code prepare} and {@code reserve} (that is, {@code plan()}) as demand.
 * Why replenishing waits is told to {@link Spares#waiting}, which logs as the plugin does.
 */
final class PluginSpares {

    private final CloudRuntime rt;
    private final String template;
    private final int wanted;

    PluginSpares(CloudRuntime rt, String template, int wanted) {
        this.rt = rt;
        this.template = template;
        this.wanted = wanted;
    }

    /**
     * One pass: reserves the spares to start now and returns their names (the caller marks them
     * {@code Launch.SPARE} and launches them).
     *
     * @param ready idle online agents of the template
     * @param demand builds waiting less idle agents less agents on their way
     * @param flavor the template's flavor name
     * @param names the names of new agents
     */
    List<String> replenish(int ready, IntSupplier demand, String flavor, Supplier<String> names) {
        Spares spares = rt.spares();
        int missing = new Spares.Count(wanted, ready, spares.starting(template::equals).getOrDefault(template, 0))
                .missing();
        if (missing == 0) {
            spares.waiting(Spares.Wait.NONE, null);
            return List.of();
        }
        String paused = rt.pauseReason();
        if (paused != null) {
            spares.waiting(Spares.Wait.PAUSED, paused);
            return List.of();
        }
        if (!spares.mayStart(template)) {
            spares.waiting(Spares.Wait.TEMPLATE, null);
            return List.of();
        }
        Quota perServer;
        LimitsSnapshot limits;
        try { // read before deciding, as Provisioning.prepare does
            perServer = Quota.of(rt.snapshots().flavor(flavor));
            limits = rt.prepare();
        } catch (ComputeException e) {
            spares.waiting(Spares.Wait.TEMPLATE, null);
            return List.of();
        }
        if (demand.getAsInt() > 0) {
            spares.waiting(Spares.Wait.DEMAND, null);
            return List.of();
        }
        Planner.Plan plan = rt.reserve(new Planner.Request(template, perServer, missing, 0), 0, names, limits);
        spares.waiting(wait(plan.bound()), null);
        return plan.reserved();
    }

    private static Spares.Wait wait(Planner.Bound bound) {
        switch (bound) {
            case QUOTA:
            case CLOUD_CAP:
                return Spares.Wait.NO_ROOM;
            case PAUSED:
                return Spares.Wait.PACING;
            default:
                return Spares.Wait.NONE;
        }
    }
}
