package io.jenkins.plugins.openstackagents.pool;

import java.time.Duration;

/** Waits; a test replaces it to run time-dependent logic without waiting. */
@FunctionalInterface
public interface Sleeper {
    Sleeper REAL = d -> Thread.sleep(d.toMillis());

    void sleep(Duration d) throws InterruptedException;
}
