package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.Limits;
import io.jenkins.plugins.openstackagents.nova.NeutronQuota;
import java.time.Instant;

/**
 * Nova's limits as read by a request that started at {@code readAt}, and Neutron's quota read with them ({@code
 * neutron}: null when the cloud's templates allocate no floating IP, so it was not asked).
 */
public record LimitsSnapshot(Limits limits, NeutronQuota neutron, Instant readAt) {

    public LimitsSnapshot(Limits limits, Instant readAt) {
        this(limits, null, readAt);
    }
}
