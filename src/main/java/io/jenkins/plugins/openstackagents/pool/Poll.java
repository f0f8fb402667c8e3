package io.jenkins.plugins.openstackagents.pool;

import java.time.Duration;

/**
 * The pauses between two looks at a booting or vanishing server. Nova's fake driver and small clouds boot in 1-3 s
 * and drop a deleted server in 1-2 s: a first look after 2 s usually finds the change, and the pause then doubles
 * up to 15 s.
 */
final class Poll {

    static final Duration FIRST = Duration.ofSeconds(2);
    static final Duration MAX = Duration.ofSeconds(15);

    private Poll() {
    }

    /** The pause after this one. */
    static Duration next(Duration pause) {
        Duration d = pause.multipliedBy(2);
        return d.compareTo(MAX) < 0 ? d : MAX;
    }
}
