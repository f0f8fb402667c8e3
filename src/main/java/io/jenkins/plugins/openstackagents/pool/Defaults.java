package io.jenkins.plugins.openstackagents.pool;

import java.time.Duration;

/** The defaults of a cloud's settings, in one place for the configuration form and the runtime. */
public final class Defaults {

    public static final int LIMITS_INTERVAL_SECONDS = 60;
    public static final int REQUESTS_PER_SECOND = 5;
    public static final int CLEANUP_INTERVAL_SECONDS = 60;
    static final Duration LIMITS_INTERVAL = Duration.ofSeconds(LIMITS_INTERVAL_SECONDS);
    /** A template's image given by name or tag: the image list is read again at most this often. */
    public static final Duration IMAGES_INTERVAL = Duration.ofMinutes(5);
    /** While Glance fails to list the images, the last list serves and Glance is asked again after this. */
    public static final Duration IMAGES_RETRY = Duration.ofMinutes(1);

    private Defaults() {
    }
}
