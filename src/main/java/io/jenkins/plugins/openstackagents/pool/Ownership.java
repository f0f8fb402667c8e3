package io.jenkins.plugins.openstackagents.pool;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who a server belongs to, written into its Nova metadata when it is created so that a restart or a crash never
 * loses track of it. Carries no secret.
 *
 * @param controller an opaque, stable identifier of the Jenkins controller
 */
public record Ownership(String controller, String cloud, String template, String agent) {

    public static final String KEY_CONTROLLER = "openstack-agents.controller";
    public static final String KEY_CLOUD = "openstack-agents.cloud";
    public static final String KEY_TEMPLATE = "openstack-agents.template";
    public static final String KEY_AGENT = "openstack-agents.agent";

    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(KEY_CONTROLLER, controller);
        m.put(KEY_CLOUD, cloud);
        m.put(KEY_TEMPLATE, template);
        m.put(KEY_AGENT, agent);
        return m;
    }

    /** The metadata that selects every server of one cloud of this controller. */
    public static Map<String, String> selector(String controller, String cloud) {
        return Map.of(KEY_CONTROLLER, controller, KEY_CLOUD, cloud);
    }

    /** Reads ownership back from a server's metadata, if the server carries all of it. */
    public static Optional<Ownership> of(Map<String, String> metadata) {
        String c = metadata.get(KEY_CONTROLLER);
        String cl = metadata.get(KEY_CLOUD);
        String t = metadata.get(KEY_TEMPLATE);
        String a = metadata.get(KEY_AGENT);
        if (c == null || cl == null || t == null || a == null) {
            return Optional.empty();
        }
        return Optional.of(new Ownership(c, cl, t, a));
    }
}
