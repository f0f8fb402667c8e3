package io.jenkins.plugins.openstackagents.bench;

/**
 * A policy that is a MODEL of a peer's provisioning, not the peer's code. It sees only a {@link ModelContext}, so the
 * same class runs in the simulation (here, on the virtual clock and the simulated Nova) and live
 * ({@code LiveBenchmarkIT}: the wall clock and the real Nova).
 */
abstract class ModelPolicy implements Policy {

    @Override
    public final void start(Context c) {
        start(new ModelContext(c.vt(), c.nova().models(c.vt()), c.queue(), c.flavor(), c.random()));
    }

    /** The metadata on every server the model creates (how the live benchmark finds them). */
    abstract java.util.Map<String, String> owner();

    /** Schedules the model's work on the timeline; called once, at time 0, on the timeline's thread. */
    abstract void start(ModelContext c);
}
