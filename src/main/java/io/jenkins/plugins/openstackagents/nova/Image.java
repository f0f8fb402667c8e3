package io.jenkins.plugins.openstackagents.nova;

import java.time.Instant;
import java.util.List;

/** A Glance image the project can boot: when Glance created it (null if not said) and its tags. */
public record Image(String id, String name, String status, Instant createdAt, List<String> tags) {

    public Image {
        tags = tags == null ? List.of() : List.copyOf(tags);
    }

    /** An image without a creation time or tags. */
    public Image(String id, String name, String status) {
        this(id, name, status, null, List.of());
    }
}
