package io.jenkins.plugins.openstackagents.pool;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who a server belongs to, written into its Nova metadata when it is created so that a restart or a crash never
 * loses track of it; the same for a floating IP, written into its Neutron description. Carries no secret.
 *
 * @param controller an opaque, stable identifier of the Jenkins controller
 */
public record Ownership(String controller, String cloud, String template, String agent) {

    /** What every metadata key and floating IP description of the plugin starts with. */
    static final String DESCRIPTION_START = "openstack-agents";

    public static final String KEY_CONTROLLER = DESCRIPTION_START + ".controller";
    public static final String KEY_CLOUD = DESCRIPTION_START + ".cloud";
    public static final String KEY_TEMPLATE = DESCRIPTION_START + ".template";
    public static final String KEY_AGENT = DESCRIPTION_START + ".agent";

    /** The longest description Neutron keeps: a longer one is refused (400). */
    public static final int MAX_DESCRIPTION_LENGTH = 255;

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

    /**
     * The description of a floating IP allocated for this agent:
     * {@code openstack-agents controller=C cloud=N template=T agent=A}, each value URL-encoded (so without spaces).
     * With a 16-character controller id, it fits in {@link #MAX_DESCRIPTION_LENGTH} when the cloud, template and agent
     * names take at most 187 characters together (ASCII letters, digits, {@code -._}; others take 3 to 12 each).
     */
    public String toDescription() {
        return descriptionPrefix(controller, cloud) + "template=" + encode(template) + " agent=" + encode(agent);
    }

    /**
     * What the description of every floating IP of one cloud of this controller starts with, and no other's (it
     * ends with a space: cloud "os" does not select cloud "os2").
     */
    public static String descriptionPrefix(String controller, String cloud) {
        return DESCRIPTION_START + " controller=" + encode(controller) + " cloud=" + encode(cloud) + " ";
    }

    /**
     * Reads ownership back from a floating IP's description: empty for one this plugin did not write (made by hand,
     * by another tool, without a description), or one without all four values.
     */
    public static Optional<Ownership> ofDescription(String description) {
        if (description == null || !description.startsWith(DESCRIPTION_START + " ")) {
            return Optional.empty();
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (String pair : description.substring(DESCRIPTION_START.length() + 1).split(" ", -1)) {
            int eq = pair.indexOf('=');
            String key = DESCRIPTION_START + "." + (eq > 0 ? pair.substring(0, eq) : ""); // as in the metadata
            if (eq <= 0 || values.containsKey(key)) {
                return Optional.empty();
            }
            try {
                values.put(key, URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException malformed) {
                return Optional.empty();
            }
        }
        return of(values);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
