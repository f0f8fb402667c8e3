package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.Server;
import java.time.Instant;
import java.util.Map;

/**
 * This cloud's servers as one list request found them, and when that request was sent: everything Nova did
 * before {@code askedAt} is in it.
 */
public record Listing(Instant askedAt, Map<String, Server> byId) {

    /** Whether the server was not on Nova when the list was asked for. */
    public boolean lacks(String serverId) {
        Server s = byId.get(serverId);
        return s == null || s.status() == Server.Status.DELETED;
    }
}
