package io.jenkins.plugins.openstackagents.forms;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Image;
import io.jenkins.plugins.openstackagents.nova.Network;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

    public enum Kind { FLAVOR, IMAGE, NETWORK }

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
                for (Image i : compute.images()) {
                    items.add(new Item(i.id(), named(i.name(), i.id()), named(i.name(), i.id())));
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

    private static String named(String name, String id) {
        return name == null || name.isBlank() ? id : name;
    }
}
