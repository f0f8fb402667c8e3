package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.Limits;
import java.time.Instant;

/** Nova's limits as read by a request that started at {@code readAt}. */
public record LimitsSnapshot(Limits limits, Instant readAt) {
}
