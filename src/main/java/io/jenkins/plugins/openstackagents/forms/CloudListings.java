package io.jenkins.plugins.openstackagents.forms;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Image;
import io.jenkins.plugins.openstackagents.nova.Network;
import io.jenkins.plugins.openstackagents.nova.SecurityGroup;
import io.jenkins.plugins.openstackagents.pool.ImageRef;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The flavors, images and networks of a cloud as the configuration forms show them, each list read at most once per
 * {@link #FRESH} for the same connection settings: the dropdowns of a page and their checks, asked for together as
 * the page loads, share one read instead of a login and a list each. Short enough that a page opened again shows
 * what changed in the cloud. Kept in memory only, and dropped once stale.
 */
public final class CloudListings {

    static final Duration FRESH = Duration.ofSeconds(5);

    public enum Kind {
        FLAVOR("flavor"), IMAGE("image"), NETWORK("network"), EXTERNAL_NETWORK("external network"),
        SECURITY_GROUP("security group");

        private final String words;

        Kind(String words) {
            this.words = words;
        }

        /** How a message names it. */
        public String words() {
            return words;
        }
    }

    /** One entry of a list: its id, its name (the id when it has none) and how a dropdown shows it. */
    public record Item(String id, String name, String label) {
    }

    private record Key(Kind kind, ConnectionSettings settings) {
    }

    private record Read(List<Item> items, Instant at) {
    }

    private final Map<Key, Read> reads = new ConcurrentHashMap<>();

    /** The list, read through {@code connect} only when none of these settings is fresh. */
    List<Item> list(Kind kind, ConnectionSettings settings, Function<ConnectionSettings, Compute> connect)
            throws ComputeException {
        Instant now = Instant.now();
        reads.values().removeIf(r -> !now.isBefore(r.at().plus(FRESH)));
        Key key = new Key(kind, settings);
        Read read = reads.get(key);
        if (read != null) {
            return read.items();
        }
        Compute compute = connect.apply(settings);
        List<Item> items = new ArrayList<>();
        switch (kind) {
            case FLAVOR:
                for (Flavor f : compute.flavors()) {
                    String name = named(f.name(), f.id());
                    items.add(new Item(f.id(), name, name + " (" + f.vcpus() + " vCPU, " + f.ramMb() + " MB)"));
                }
                break;
            case IMAGE:
                items.addAll(images(compute.images()));
                break;
            case EXTERNAL_NETWORK:
                for (Network n : compute.externalNetworks()) {
                    items.add(new Item(n.id(), named(n.name(), n.id()), named(n.name(), n.id())));
                }
                break;
            case SECURITY_GROUP:
                for (SecurityGroup g : compute.securityGroups()) {
                    items.add(new Item(g.id(), named(g.name(), g.id()), named(g.name(), g.id())));
                }
                break;
            default:
                for (Network n : compute.networks()) {
                    items.add(new Item(n.id(), named(n.name(), n.id()), named(n.name(), n.id())));
                }
        }
        reads.put(key, new Read(List.copyOf(items), now));
        return items;
    }

    /**
     * Each image (by name; where two share a name, with the start of its id and its date), then, for each name and
     * each tag, the newest ACTIVE image of it (values {@code name} and {@code tag:T}, see {@code ImageRef}).
     */
    static List<Item> images(List<Image> images) {
        Map<String, Integer> perName = new HashMap<>();
        Set<String> tags = new TreeSet<>();
        for (Image i : images) {
            perName.merge(named(i.name(), i.id()), 1, Integer::sum);
            tags.addAll(i.tags());
        }
        List<Item> items = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        for (Image i : images) {
            String name = named(i.name(), i.id());
            String label = name;
            if (perName.get(name) > 1) {
                label = name + " (" + i.id().substring(0, Math.min(8, i.id().length()))
                        + (i.createdAt() == null ? "" : ", " + i.createdAt().toString().substring(0, 10)) + ")";
            }
            items.add(new Item(i.id(), name, label));
            if (i.name() != null && !i.name().isBlank()) {
                names.add(i.name());
            }
        }
        for (String n : names) {
            items.add(new Item(n, n, "Newest image named " + n));
        }
        for (String t : tags) {
            String ref = ImageRef.TAG_PREFIX + t;
            items.add(new Item(ref, ref, "Newest image tagged " + t));
        }
        return items;
    }

    private static String named(String name, String id) {
        return name == null || name.isBlank() ? id : name;
    }
}
