package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.Limits;
import io.jenkins.plugins.openstackagents.nova.NeutronQuota;
import java.time.Instant;

/**
 * Nova's limits as read by a request that started at {@code readAt}, and Neutron's quota read after them, answered
 * at {@code neutronReadAt} ({@code neutron}: null when Neutron was not asked).
 */
public record LimitsSnapshot(Limits limits, NeutronQuota neutron, Instant readAt, Instant neutronReadAt) {

    public LimitsSnapshot(Limits limits, NeutronQuota neutron, Instant readAt) {
        this(limits, neutron, readAt, readAt);
    }

    public LimitsSnapshot(Limits limits, Instant readAt) {
        this(limits, null, readAt);
    }
}
