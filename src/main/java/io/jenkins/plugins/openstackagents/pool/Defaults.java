package io.jenkins.plugins.openstackagents.pool;

import java.time.Duration;

/** The defaults of a cloud's settings, in one place for the configuration form and the runtime. */
public final class Defaults {

    public static final int LIMITS_INTERVAL_SECONDS = 60;
    public static final int REQUESTS_PER_SECOND = 5;
    public static final int CLEANUP_INTERVAL_SECONDS = 60;
    static final Duration LIMITS_INTERVAL = Duration.ofSeconds(LIMITS_INTERVAL_SECONDS);

    private Defaults() {
    }
}
