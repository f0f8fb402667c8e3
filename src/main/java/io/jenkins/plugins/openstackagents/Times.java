package io.jenkins.plugins.openstackagents;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Times on the plugin's pages, as a person reads them. */
final class Times {

    private static final DateTimeFormatter DAY_AND_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    private Times() {
    }

    /** "2026-12-01 11:10:52 UTC (3 min ago)"; "never" for no time. */
    static String readable(Instant t, Instant now) {
        if (t == null) {
            return "never";
        }
        return DAY_AND_TIME.format(t) + " (" + ago(Duration.between(t, now)) + ")";
    }

    static String ago(Duration d) {
        long s = d.getSeconds();
        if (s < 0) {
            return "in " + ago(d.negated()).replace(" ago", "");
        }
        if (s < 60) {
            return s + " s ago";
        }
        if (s < 3600) {
            return s / 60 + " min ago";
        }
        if (s < 48 * 3600) {
            return s / 3600 + " h " + s % 3600 / 60 + " min ago";
        }
        return s / 86400 + " days ago";
    }
}
