package io.jenkins.plugins.openstackagents.pool;

import java.time.Instant;

/** A server the plugin asked Nova to delete, and why. */
public record Removal(String name, String serverId, String reason, Instant at) {
}
