package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.Flavor;
import java.util.Random;

/** A way of provisioning agents for the build queue from the simulated Nova. */
interface Policy {

    /** What a policy runs with: the clock, Nova, the queue, the flavor of every agent, and its own random. */
    record Context(VirtualTime vt, SimNova nova, BuildQueue queue, Flavor flavor, Random random) {
    }

    String name();

    /** Schedules the policy's work on the clock; called once at time 0. */
    void start(Context ctx);

    /** Servers the policy still tracks and will delete (for the leak count: servers on Nova minus these). */
    default int tracked() {
        return 0;
    }
}
