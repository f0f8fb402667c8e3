package io.jenkins.plugins.openstackagents.pool;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The plugin's own record of every server it has asked for, until Nova says the server is gone.
 *
 * <p>A server counts against quota from the moment it is reserved until {@link #gone} (Nova answered 404), in
 * whatever state it is: requested, building, running, deleting or errored. All methods are atomic; compound
 * decisions (check the caps, then reserve) are made under the ledger's lock by {@link Planner}.
 */
public final class Ledger {

    /** Where a server is in its life, as far as the plugin knows. */
    public enum State {
        /** Reserved; the create request is being sent. Nova may not count it yet. */
        REQUESTED,
        /** Nova accepted it (202) and it is booting. */
        BUILDING,
        /** ACTIVE: an agent runs or will run on it. */
        RUNNING,
        /** Nova reported it in ERROR; it still holds quota until deleted. */
        ERROR,
        /** A delete was sent (or must be retried); it holds quota until Nova answers 404. */
        DELETING
    }

    /**
     * One server. {@code acceptedAt} is when Nova answered 202 (null while the request is in flight);
     * {@code seenAt} the start of the last request that found it on Nova; {@code deleteAccepted} whether Nova
     * accepted a delete request for it.
     */
    public record Entry(String name, String template, Quota resources, State state, String serverId,
                        Instant reservedAt, Instant acceptedAt, Instant seenAt, Instant stateSince, String reason,
                        boolean deleteAccepted) {

        Entry with(State s, Instant now, String why) {
            return new Entry(name, template, resources, s, serverId, reservedAt, acceptedAt, seenAt, now, why,
                    deleteAccepted);
        }
    }

    private record Gone(Entry entry, Instant goneAt) {
    }

    /**
     * The Neutron ports one server takes (one per network; Nova makes them while the server builds, and deletes them
     * before it answers 404), when the plugin first saw the server ACTIVE (its ports exist then), and when its delete
     * started (its ports may be gone from then on). {@code goneAt}: when Nova answered 404, null while it is here.
     */
    private record Ports(int count, Instant activeAt, Instant deletingAt, Instant goneAt) {

        /** Whether Neutron counted these ports in a quota read that started at {@code from} and ended at {@code to}. */
        boolean countedIn(Instant from, Instant to) {
            return activeAt != null && activeAt.isBefore(from) && (deletingAt == null || deletingAt.isAfter(to));
        }
    }

    /**
     * Who watches a server being started: NodeProvisioner's future, the plugin's own fast path, or the replenishing
     * of spare agents (no build waits for it).
     */
    public enum Launch { PROVISIONER, FAST, SPARE }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    /** Servers whose launch is still running (request, boot, agent connection), and which path started it. */
    private final Map<String, Launch> launching = new LinkedHashMap<>();
    private final List<Gone> recentlyGone = new ArrayList<>();
    /** Ids of servers Nova was seen to drop, newest last (ids are never reused): a list older than that is stale. */
    private final Set<String> goneIds = new LinkedHashSet<>();
    static final int GONE_IDS_KEPT = 1000;
    /** The ports of each server by name, while it is here; then in {@link #portsGone} until a read reflects that. */
    private final Map<String, Ports> ports = new LinkedHashMap<>();
    private final List<Ports> portsGone = new ArrayList<>();

    /** Records a new server about to be requested. Returns false if the name is already in use. */
    public synchronized boolean reserve(String name, String template, Quota resources, Instant now) {
        return reserve(name, template, resources, 0, now);
    }

    /** {@link #reserve(String, String, Quota, Instant)} for a server that takes {@code ports} Neutron ports. */
    public synchronized boolean reserve(String name, String template, Quota resources, int ports, Instant now) {
        if (entries.containsKey(name)) {
            return false;
        }
        if (ports > 0) {
            this.ports.put(name, new Ports(ports, null, null, null));
        }
        entries.put(name, new Entry(name, template, resources, State.REQUESTED, null, now, null, null, now, null,
                false));
        return true;
    }

    /** Nova accepted the create request and gave the server this id. */
    public synchronized void accepted(String name, String serverId, Instant now) {
        Entry e = entries.get(name);
        if (e != null) {
            entries.put(name, new Entry(name, e.template(), e.resources(), State.BUILDING, serverId, e.reservedAt(),
                    now, now, now, null, false));
        }
    }

    /**
     * Records a server found on Nova that the ledger did not know (after a restart), in the given state. Nova
     * already counts it, so it is recorded as accepted long ago.
     */
    public synchronized void adopt(String name, String template, Quota resources, String serverId, State state,
                                   Instant created) {
        entries.putIfAbsent(name, new Entry(name, template, resources, state, serverId, created, created, created,
                created, "found on Nova", false));
    }

    /**
     * Moves a server to a new state, with a reason an operator can read (may be null). A server being deleted stays
     * so until it is gone (a boot watch that sees it ACTIVE late does not make it RUNNING again).
     */
    public synchronized void transition(String name, State state, Instant now, String reason) {
        Entry e = entries.get(name);
        if (e != null && e.state() != state && e.state() != State.DELETING) {
            entries.put(name, e.with(state, now, reason));
            portsAt(name, state, now);
        }
    }

    private void portsAt(String name, State state, Instant now) {
        Ports p = ports.get(name);
        if (p != null && state == State.RUNNING && p.activeAt() == null) {
            ports.put(name, new Ports(p.count(), now, p.deletingAt(), null));
        } else if (p != null && state == State.DELETING && p.deletingAt() == null) {
            ports.put(name, new Ports(p.count(), p.activeAt(), now, null));
        }
    }

    /**
     * Moves a server to DELETING and says whether this caller is the one to delete it: false when it is unknown or
     * already being deleted (two cleanup passes that remove the same agent at once send one delete, not two).
     */
    public synchronized boolean startDeleting(String name, Instant now, String reason) {
        Entry e = entries.get(name);
        if (e == null || e.state() == State.DELETING) {
            return false;
        }
        entries.put(name, e.with(State.DELETING, now, reason));
        portsAt(name, State.DELETING, now);
        return true;
    }

    /** A request that started at {@code at} found the server on Nova: Nova counted it at that moment. */
    public synchronized void seen(String name, Instant at) {
        Entry e = entries.get(name);
        if (e != null && (e.seenAt() == null || at.isAfter(e.seenAt()))) {
            entries.put(name, new Entry(name, e.template(), e.resources(), e.state(), e.serverId(), e.reservedAt(),
                    e.acceptedAt(), at, e.stateSince(), e.reason(), e.deleteAccepted()));
        }
    }

    /** Nova accepted the delete request; it keeps counting the server until it answers 404. */
    public synchronized void deleteAccepted(String name) {
        Entry e = entries.get(name);
        if (e != null) {
            entries.put(name, new Entry(name, e.template(), e.resources(), State.DELETING, e.serverId(),
                    e.reservedAt(), e.acceptedAt(), e.seenAt(), e.stateSince(), e.reason(), true));
        }
    }

    /** A launch of this reserved server starts: it watches the server and its agent until the agent connects. */
    public synchronized void launchStarted(String name, Launch path) {
        if (entries.containsKey(name)) {
            launching.put(name, path);
        }
    }

    /** The launch ended, the agent online or not. */
    public synchronized void launchEnded(String name) {
        launching.remove(name);
    }

    /** The servers being launched now, and by which path. */
    public synchronized Map<String, Launch> launching() {
        return Map.copyOf(launching);
    }

    /** Nova no longer knows the server (or never accepted it): it holds no quota any more. */
    public synchronized void gone(String name, Instant now) {
        launching.remove(name);
        Ports p = ports.remove(name);
        if (p != null) {
            portsGone.add(new Ports(p.count(), p.activeAt(), p.deletingAt() != null ? p.deletingAt() : now, now));
        }
        Entry e = entries.remove(name);
        if (e != null && e.acceptedAt() != null) {
            recentlyGone.add(new Gone(e, now));
        }
        if (e != null && e.serverId() != null) {
            goneIds.add(e.serverId());
            if (goneIds.size() > GONE_IDS_KEPT) {
                goneIds.remove(goneIds.iterator().next());
            }
        }
    }

    /** Whether this server was recorded as gone from Nova (an older list may still show it). */
    public synchronized boolean isGone(String serverId) {
        return goneIds.contains(serverId);
    }

    public synchronized Optional<Entry> get(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public synchronized List<Entry> entries(Predicate<Entry> filter) {
        List<Entry> r = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (filter.test(e)) {
                r.add(e);
            }
        }
        return r;
    }

    public synchronized int count(Predicate<Entry> filter) {
        return entries(filter).size();
    }

    /**
     * How many of this controller's servers Nova may have counted in figures read at {@code readAt}: those accepted
     * before it and still here, and those accepted before it and seen gone only since. More than that in Nova's
     * figure is servers this controller did not start.
     */
    public synchronized int possiblyCountedAt(Instant readAt) {
        int n = 0;
        for (Entry e : entries.values()) {
            if (e.acceptedAt() != null && e.acceptedAt().isBefore(readAt)) {
                n++;
            }
        }
        for (Gone g : recentlyGone) {
            if (g.entry().acceptedAt().isBefore(readAt) && !g.goneAt().isBefore(readAt)) {
                n++;
            }
        }
        return n;
    }

    /**
     * Quota that Nova's usage figures in {@code l} may not include yet: servers still being requested or accepted
     * at or after the read, and servers accepted before it that Nova may not have counted yet. Nova counts a server
     * once its scheduler has placed it, not when it answers the create: a server accepted before the read but still
     * BUILDING then is taken as counted only as far as Nova's figure has room for it beside this controller's
     * servers that had left BUILD by then (the newest are the ones taken as not counted).
     */
    public synchronized Quota unaccountedIn(LimitsSnapshot l) {
        Instant readAt = l.readAt();
        Quota q = Quota.NONE;
        int placed = 0;
        List<Entry> building = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.acceptedAt() == null || !e.acceptedAt().isBefore(readAt)) {
                q = q.plus(e.resources());
            } else if (e.state() == State.BUILDING || e.stateSince().isAfter(readAt)) {
                building.add(e);
            } else {
                placed++;
            }
        }
        int counted = Math.max(0, Math.min(building.size(), l.limits().usedInstances() - placed));
        for (int i = counted; i < building.size(); i++) {
            q = q.plus(building.get(i).resources());
        }
        return q;
    }

    /**
     * Quota that Nova's usage figures read at {@code readAt} still include but that has since been released:
     * servers gone (404) that Nova counted at that moment: accepted before it, and still found by a request that
     * started at or after it (the moment we learn of a 404 can be much later than the deletion itself).
     */
    public synchronized Quota releasedSince(Instant readAt) {
        return releasedSince(readAt, Integer.MAX_VALUE);
    }

    /**
     * {@link #releasedSince(Instant)}, but only as many servers as Nova's figure in {@code l} can have counted beside
     * this controller's servers still here that {@link #unaccountedIn} takes as counted: a server accepted before the
     * read that Nova had not counted yet (not placed) frees nothing of that figure when it goes.
     */
    public synchronized Quota releasedSince(LimitsSnapshot l) {
        Instant readAt = l.readAt();
        int placed = 0;
        int building = 0;
        for (Entry e : entries.values()) {
            if (e.acceptedAt() == null || !e.acceptedAt().isBefore(readAt)) {
                continue;
            } else if (e.state() == State.BUILDING || e.stateSince().isAfter(readAt)) {
                building++;
            } else {
                placed++;
            }
        }
        int takenAsCounted = placed + Math.max(0, Math.min(building, l.limits().usedInstances() - placed));
        return releasedSince(readAt, Math.max(0, l.limits().usedInstances() - takenAsCounted));
    }

    private Quota releasedSince(Instant readAt, int most) {
        Quota q = Quota.NONE;
        int n = 0;
        for (Iterator<Gone> it = recentlyGone.iterator(); it.hasNext(); ) {
            Gone g = it.next();
            if (g.goneAt().isBefore(readAt)) {
                it.remove(); // already reflected in any read at or after readAt
            } else if (g.entry().acceptedAt().isBefore(readAt) && n < most
                    && g.entry().seenAt() != null && !g.entry().seenAt().isBefore(readAt)) {
                q = q.plus(g.entry().resources());
                n++;
            }
        }
        return q;
    }

    /**
     * How many more ports fit in Neutron's port quota as {@code l} read it: its limit, minus what it counted then,
     * minus the ports of this controller's servers it may not have counted (not yet seen ACTIVE before the read, or
     * being deleted since before its answer), plus the ports of servers gone since that it did count.
     * {@link Integer#MAX_VALUE} when Neutron's quota was not read or its port limit is unlimited.
     */
    public synchronized int portHeadroom(LimitsSnapshot l) {
        if (l.neutron() == null || l.neutron().ports().limit() < 0) {
            return Integer.MAX_VALUE;
        }
        Instant from = l.readAt();
        Instant to = l.neutronReadAt();
        long free = (long) l.neutron().ports().limit() - l.neutron().ports().used();
        for (Ports p : ports.values()) {
            free -= p.countedIn(from, to) ? 0 : p.count();
        }
        for (Iterator<Ports> it = portsGone.iterator(); it.hasNext(); ) {
            Ports p = it.next();
            if (p.goneAt().isBefore(from)) {
                it.remove(); // any read from now on reflects it
            } else if (p.countedIn(from, to)) {
                free += p.count();
            }
        }
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, free));
    }
}
