package io.jenkins.plugins.openstackagents.bench;

/**
 * When a policy's work happens: the virtual clock of the simulation ({@link VirtualTime}) or the wall clock of the
 * live benchmark ({@link RealTime}). The callbacks of one timeline never run at the same time, so the code they run
 * needs no locks.
 */
interface Timeline {

    /** Seconds since the start. */
    double seconds();

    /** Runs {@code r} on this timeline at now + {@code delaySeconds}. */
    void after(double delaySeconds, Runnable r);
}
