package io.jenkins.plugins.openstackagents.nova;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * A Nova that lives in memory, with the behaviour measured on a real one: quota on instances, cores and RAM
 * counted over every server until it is gone (including ERROR and deleting ones), servers in BUILD for a while,
 * deletes that release quota after a delay, and Nova's late over-quota failure. Switches inject faults.
 *
 * <p>Its Neutron: a server it created has one port on the network of its request (the first network when none is
 * asked) from the moment it turns ACTIVE (the port's address is the server's) until it is gone. Floating IPs are
 * allocated on the external network, counted against a settable quota (refused as Neutron does: 409
 * {@code OverQuota}, a {@link ComputeException.Kind#QUOTA_EXCEEDED}), associated with a port, and left allocated but
 * no longer associated when their port's server is gone, as Neutron leaves them.
 */
public class InMemoryCompute implements Compute {

    /** The calls, for counting and for fault injection. */
    public enum Op {
        CREATE, FIND, LIST, DELETE, LIMITS, FLAVORS, IMAGES, NETWORKS,
        EXTERNAL_NETWORKS, SECURITY_GROUPS, PORTS, FLOATING_IPS, ALLOCATE_FLOATING_IP, ASSOCIATE_FLOATING_IP, RELEASE_FLOATING_IP,
        NEUTRON_QUOTA
    }

    private static final class Srv {
        Server server;
        String userData;
        String imageId;
        Flavor flavor;
        List<String> networkIds;
        final List<Port> ports = new ArrayList<>();
        Instant activeAt;
        Instant goneAt;
        boolean lateQuota;
        boolean activated;
    }

    private final Clock clock;
    private final Map<String, Srv> servers = new LinkedHashMap<>();
    private final Map<Op, Deque<ComputeException>> faults = new EnumMap<>(Op.class);
    private final Map<Op, Integer> calls = new EnumMap<>(Op.class);
    private final Map<Long, Integer> perSecond = new java.util.HashMap<>();
    private final List<Flavor> flavors = new ArrayList<>(List.of(
            new Flavor("1", "m1.small", 1, 512, 1), new Flavor("2", "m1.medium", 2, 2048, 10)));
    private final List<Image> images = new ArrayList<>(List.of(new Image("img-1", "debian-12", "active")));
    private final List<Network> networks = new ArrayList<>(List.of(new Network("net-1", "private")));
    private final List<Network> externalNetworks = new ArrayList<>(List.of(new Network("ext-1", "public")));
    private final Map<String, FloatingIp> floatingIps = new LinkedHashMap<>();
    private int maxFloatingIps = -1;
    private int maxPorts = -1;
    private int foreignPorts;
    private int refusedForPorts;
    private int refusedFloatingIps;
    /** Floating addresses handed out, in 127.20.0.0/16. */
    private int floatingAddresses;
    private int maxInstances = 10;
    private int maxCores = -1;
    private int maxRamMb = -1;
    private final List<Runnable> pending = new ArrayList<>(); // guarded by this
    private Duration bootTime = Duration.ofMillis(200);
    private Duration deleteTime = Duration.ofMillis(200);
    private boolean lateQuotaFailures;
    /** How long after its create Nova starts counting a server (the scheduler has not placed it before). */
    private Duration countDelay = Duration.ZERO;
    private int refusedCreates;
    private int lateFailures;
    /** Addresses handed out, in 127.11.0.0/16 (loopback: the SSH guests listen there). */
    private int addresses;
    private BiConsumer<Server, String> onActive = (s, u) -> { };
    private Consumer<Server> onGone = s -> { };
    private BiConsumer<Server, String> onAssociated = (s, a) -> { };

    public InMemoryCompute() {
        this(Clock.systemUTC());
    }

    public InMemoryCompute(Clock clock) {
        this.clock = clock;
    }

    // ------------------------------------------------------------------ switches

    public synchronized InMemoryCompute quota(int instances, int cores, int ramMb) {
        maxInstances = instances;
        maxCores = cores;
        maxRamMb = ramMb;
        return this;
    }

    public synchronized InMemoryCompute bootTime(Duration d) {
        bootTime = d;
        return this;
    }

    public synchronized InMemoryCompute deleteTime(Duration d) {
        deleteTime = d;
        return this;
    }

    /** Over quota, accept the create (202) and turn the server to ERROR with fault 413, as Nova does for races. */
    public synchronized InMemoryCompute lateQuotaFailures(boolean on) {
        lateQuotaFailures = on;
        return this;
    }

    /**
     * Nova counts a server in its limits and its create check only {@code d} after the create was accepted, as
     * Nova does while the server is a build request the scheduler has not placed: a create in that window is
     * accepted (202) even over quota and fails late with fault 413 when Nova checks the quota again.
     */
    public synchronized InMemoryCompute countsAfter(Duration d) {
        countDelay = d;
        return this;
    }

    /**
     * Neutron's quota of floating IPs and ports ({@code -1} = unlimited). A create whose ports do not fit is refused
     * as Nova does (403 "Maximum number of ports exceeded"), counting the ports of every server not yet gone from its
     * create on; Neutron's quota reports a server's ports only once it is ACTIVE (a BUILD server's may not exist yet).
     */
    public synchronized InMemoryCompute neutronQuota(int floatingIps, int ports) {
        maxFloatingIps = floatingIps;
        maxPorts = ports;
        return this;
    }

    /** Ports someone else holds in the project (a router's interface, a person's port), counted against the quota. */
    public synchronized InMemoryCompute addForeignPorts(int n) {
        foreignPorts += n;
        return this;
    }

    /** How many creates were refused because their ports did not fit. */
    public synchronized int refusedForPorts() {
        return refusedForPorts;
    }

    /** A floating IP someone else allocated (a person, another controller), counted against the same quota. */
    public synchronized FloatingIp addForeignFloatingIp(String description) {
        FloatingIp f = new FloatingIp(UUID.randomUUID().toString(), nextFloatingAddress(), externalNetworks.get(0).id(),
                null, description, "DOWN");
        floatingIps.put(f.id(), f);
        return f;
    }

    /** The next call of {@code op} fails with {@code e}. Several calls queue up. */
    public synchronized InMemoryCompute failNext(Op op, ComputeException e) {
        faults.computeIfAbsent(op, o -> new ArrayDeque<>()).add(e);
        return this;
    }

    /** Called (outside the lock) when a server turns ACTIVE, with its user data: plays the guest. */
    public synchronized InMemoryCompute onActive(BiConsumer<Server, String> c) {
        onActive = c;
        return this;
    }

    /** Called (outside the lock) when a floating IP is associated with a server's port, with its address. */
    public synchronized InMemoryCompute onAssociated(BiConsumer<Server, String> c) {
        onAssociated = c;
        return this;
    }

    /** Called (outside the lock) when a server is gone. */
    public synchronized InMemoryCompute onGone(Consumer<Server> c) {
        onGone = c;
        return this;
    }

    private String nextFloatingAddress() {
        int n = 2 + floatingAddresses++ % 65000;
        return "127.20." + (n >> 8) + "." + (n & 255);
    }

    private String nextAddress() {
        int n = 2 + addresses++ % 65000;
        return "127.11." + (n >> 8) + "." + (n & 255);
    }

    /** Another tenant network servers can be attached to. */
    public synchronized InMemoryCompute addNetwork(Network n) {
        networks.add(n);
        return this;
    }

    /** Every port of every server Nova still has (the servers' ports go with them). */
    public synchronized List<Port> allPorts() {
        List<Port> r = new ArrayList<>();
        servers.values().forEach(s -> r.addAll(s.ports));
        return r;
    }

    /** An image uploaded to Glance. */
    public synchronized InMemoryCompute addImage(Image i) {
        images.add(i);
        return this;
    }

    /** The image the server was created from, or null. */
    public synchronized String imageOf(String serverId) {
        Srv s = servers.get(serverId);
        return s == null ? null : s.imageId;
    }

    /** A server created by someone else (another controller), counted against the same quota. */
    public synchronized Server addForeign(String name, String flavorId, Map<String, String> metadata) {
        Srv s = new Srv();
        s.flavor = flavor(flavorId);
        s.server = new Server(UUID.randomUUID().toString(), name, Server.Status.ACTIVE, metadata, null,
                clock.instant(), "10.0.0.9", s.flavor.id());
        s.activeAt = clock.instant();
        s.activated = true;
        servers.put(s.server.id(), s);
        return s.server;
    }

    // ------------------------------------------------------------------ observations

    public synchronized int calls(Op op) {
        return calls.getOrDefault(op, 0);
    }

    public synchronized int totalCalls() {
        int n = 0;
        for (int c : calls.values()) {
            n += c;
        }
        return n;
    }

    /** The most calls of any kind made in one second of the clock. */
    public synchronized int peakPerSecond() {
        return perSecond.values().stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    /** Servers Nova accepted and then failed with fault 413. */
    public synchronized int lateQuotaFailures() {
        return lateFailures;
    }

    /** Create requests Nova refused with 403 (the late 413 failures are not counted here). */
    public synchronized int refusedCreates() {
        return refusedCreates;
    }

    /** Floating IP allocations Neutron refused for quota. */
    public synchronized int refusedFloatingIps() {
        return refusedFloatingIps;
    }

    /** Every floating IP of the project, whatever its description. */
    public List<FloatingIp> allFloatingIps() {
        List<FloatingIp> r;
        synchronized (this) {
            advance();
            r = List.copyOf(floatingIps.values());
        }
        fire();
        return r;
    }

    /** Servers Nova still knows (any state). */
    public List<Server> servers() {
        List<Server> r = new ArrayList<>();
        synchronized (this) {
            advance();
            for (Srv s : servers.values()) {
                r.add(s.server);
            }
        }
        fire();
        return r;
    }

    public synchronized String userData(String serverId) {
        Srv s = servers.get(serverId);
        return s == null ? null : s.userData;
    }

    // ------------------------------------------------------------------ Compute

    @Override
    public Server create(ServerRequest request) throws ComputeException {
        Server result;
        synchronized (this) {
            call(Op.CREATE);
            Flavor f = flavor(request.flavorId());
            if (f == null) {
                throw badRequest(request, "Flavor " + request.flavorId() + " could not be found.");
            }
            boolean knownImage = false;
            for (Image i : images) {
                knownImage |= i.id().equals(request.imageId());
            }
            if (!knownImage) {
                throw badRequest(request, "Image " + request.imageId() + " could not be found.");
            }
            for (String n : request.networkIds()) {
                if (networks.stream().noneMatch(x -> x.id().equals(n))) {
                    throw badRequest(request, "Network " + n + " could not be found.");
                }
            }
            advance();
            int wantedPorts = Math.max(1, request.networkIds().size());
            if (maxPorts >= 0 && portsTaken() + wantedPorts > maxPorts) {
                refusedCreates++;
                refusedForPorts++;
                throw new ComputeException(ComputeException.Kind.QUOTA_EXCEEDED, "Maximum number of ports exceeded");
            }
            String over = overQuota(f, true);
            if (over != null && !lateQuotaFailures) {
                refusedCreates++;
                throw new ComputeException(ComputeException.Kind.QUOTA_EXCEEDED, over);
            }
            if (over == null) {
                over = overQuota(f, false); // passed the check, but over once Nova counts what it has not yet
            }
            Srv s = new Srv();
            s.flavor = f;
            s.userData = request.userData();
            s.imageId = request.imageId();
            s.networkIds = request.networkIds().isEmpty() ? List.of(networks.get(0).id()) : request.networkIds();
            s.lateQuota = over != null;
            s.server = new Server(UUID.randomUUID().toString(), request.name(), Server.Status.BUILD,
                    request.metadata(), null, clock.instant(), null, f.id());
            s.activeAt = clock.instant().plus(bootTime);
            servers.put(s.server.id(), s);
            result = s.server;
            advance();
        }
        fire();
        return result;
    }

    @Override
    public Optional<Server> find(String serverId) throws ComputeException {
        return op(Op.FIND, () -> {
            Srv s = servers.get(serverId);
            return s == null ? Optional.empty() : Optional.of(s.server);
        });
    }

    @Override
    public List<Server> list(Map<String, String> metadata) throws ComputeException {
        return op(Op.LIST, () -> {
            List<Server> r = new ArrayList<>();
            for (Srv s : servers.values()) {
                if (s.server.metadata().entrySet().containsAll(metadata.entrySet())) {
                    r.add(s.server);
                }
            }
            return r;
        });
    }

    @Override
    public boolean delete(String serverId) throws ComputeException {
        return op(Op.DELETE, () -> {
            Srv s = servers.get(serverId);
            if (s != null && s.goneAt == null) {
                s.goneAt = clock.instant().plus(deleteTime);
            }
            return s != null;
        });
    }

    @Override
    public Limits limits() throws ComputeException {
        Limits l = limitsNow();
        fire();
        return l;
    }

    private synchronized Limits limitsNow() throws ComputeException {
        call(Op.LIMITS);
        advance();
        int instances = 0;
        int cores = 0;
        int ram = 0;
        for (Srv s : servers.values()) {
            if (counted(s)) {
                instances++;
                cores += s.flavor.vcpus();
                ram += s.flavor.ramMb();
            }
        }
        return new Limits(maxInstances, instances, maxCores, cores, maxRamMb, ram);
    }

    @Override
    public synchronized List<Flavor> flavors() throws ComputeException {
        call(Op.FLAVORS);
        return List.copyOf(flavors);
    }

    @Override
    public synchronized List<Image> images() throws ComputeException {
        call(Op.IMAGES);
        return List.copyOf(images);
    }

    @Override
    public synchronized List<Network> networks() throws ComputeException {
        call(Op.NETWORKS);
        return List.copyOf(networks);
    }

    @Override
    public synchronized List<Network> externalNetworks() throws ComputeException {
        call(Op.EXTERNAL_NETWORKS);
        return List.copyOf(externalNetworks);
    }

    @Override
    public synchronized List<SecurityGroup> securityGroups() throws ComputeException {
        call(Op.SECURITY_GROUPS);
        return List.of(new SecurityGroup("sg-1", "default"), new SecurityGroup("sg-2", "ssh"));
    }

    @Override
    public List<Port> ports(String serverId) throws ComputeException {
        return op(Op.PORTS, () -> {
            Srv s = servers.get(serverId);
            return s == null ? List.of() : List.copyOf(s.ports);
        });
    }

    @Override
    public List<FloatingIp> floatingIps(String descriptionPrefix) throws ComputeException {
        return op(Op.FLOATING_IPS, () -> {
            List<FloatingIp> r = new ArrayList<>();
            for (FloatingIp f : floatingIps.values()) {
                if (java.util.Objects.toString(f.description(), "").startsWith(descriptionPrefix)) {
                    r.add(f);
                }
            }
            return r;
        });
    }

    @Override
    public synchronized FloatingIp allocateFloatingIp(String networkId, String description) throws ComputeException {
        call(Op.ALLOCATE_FLOATING_IP);
        String action = "allocate a floating IP on network " + networkId;
        if (networks.stream().anyMatch(n -> n.id().equals(networkId))) {
            throw neutron(400, "BadRequest", "Bad floatingip request: Network " + networkId
                    + " is not a valid external network.", action);
        }
        if (externalNetworks.stream().noneMatch(n -> n.id().equals(networkId))) {
            throw neutron(404, "NetworkNotFound", "Network " + networkId + " could not be found.", action);
        }
        if (maxFloatingIps >= 0 && floatingIps.size() >= maxFloatingIps) {
            refusedFloatingIps++;
            throw neutron(409, "OverQuota", "Quota exceeded for resources: ['floatingip'].", action);
        }
        FloatingIp f = new FloatingIp(UUID.randomUUID().toString(), nextFloatingAddress(), networkId, null,
                description, "DOWN");
        floatingIps.put(f.id(), f);
        return f;
    }

    @Override
    public FloatingIp associateFloatingIp(String floatingIpId, String portId) throws ComputeException {
        return op(Op.ASSOCIATE_FLOATING_IP, () -> {
            String action = "associate floating IP " + floatingIpId + " with port " + portId;
            FloatingIp f = floatingIps.get(floatingIpId);
            if (f == null) {
                throw neutron(404, "FloatingIPNotFound", "Floating IP " + floatingIpId + " could not be found.", action);
            }
            Srv owner = servers.values().stream().filter(s -> s.ports.stream().anyMatch(p -> p.id().equals(portId)))
                    .findFirst().orElse(null);
            if (owner == null) {
                throw neutron(404, "PortNotFound", "Port " + portId + " could not be found.", action);
            }
            FloatingIp associated = withPort(f, portId);
            floatingIps.put(f.id(), associated);
            Server s = owner.server;
            BiConsumer<Server, String> a = onAssociated;
            pending.add(() -> a.accept(s, associated.address()));
            return associated;
        });
    }

    @Override
    public synchronized boolean releaseFloatingIp(String floatingIpId) throws ComputeException {
        call(Op.RELEASE_FLOATING_IP);
        return floatingIps.remove(floatingIpId) != null;
    }

    @Override
    public NeutronQuota neutronQuota() throws ComputeException {
        return op(Op.NEUTRON_QUOTA, () -> {
            int ports = foreignPorts;
            for (Srv s : servers.values()) {
                ports += s.ports.size();
            }
            return new NeutronQuota(new NeutronQuota.Usage(maxFloatingIps, floatingIps.size()),
                    new NeutronQuota.Usage(maxPorts, ports));
        });
    }

    // ------------------------------------------------------------------ internals

    /** What an operation does under the lock. */
    @FunctionalInterface
    private interface Body<T> {
        T run() throws ComputeException;
    }

    /**
     * One operation: counted (and failed if a fault is queued for it), the servers moved along the clock, the body
     * run, all under the lock; then the callbacks it caused, outside it.
     */
    private <T> T op(Op op, Body<T> body) throws ComputeException {
        T r;
        synchronized (this) {
            call(op);
            advance();
            r = body.run();
        }
        fire();
        return r;
    }

    /** Nova's 400 to a create, as the openstack4j implementation reports it. */
    private static ComputeException badRequest(ServerRequest request, String novaSays) {
        return ErrorTranslator.answered(400, novaSays, null, null, "Nova", "create server " + request.name(), null);
    }

    /** Neutron's error answer, as the openstack4j implementation reports it. */
    private static ComputeException neutron(int status, String type, String neutronSays, String action) {
        return ErrorTranslator.answered(status, neutronSays, type, null, "Neutron", action, null);
    }

    /** The floating IP associated with a port (ACTIVE), or with none (null: DOWN). */
    private static FloatingIp withPort(FloatingIp f, String portId) {
        return new FloatingIp(f.id(), f.address(), f.networkId(), portId, f.description(),
                portId == null ? "DOWN" : "ACTIVE");
    }

    private void call(Op op) throws ComputeException {
        calls.merge(op, 1, Integer::sum);
        perSecond.merge(clock.millis() / 1000, 1, Integer::sum);
        Deque<ComputeException> q = faults.get(op);
        if (q != null && !q.isEmpty()) {
            throw q.poll();
        }
    }

    private Flavor flavor(String idOrName) {
        for (Flavor f : flavors) {
            if (f.id().equals(idOrName) || f.name().equals(idOrName)) {
                return f;
            }
        }
        return null;
    }

    /** Whether Nova counts this server by now (see {@link #countsAfter}). */
    private boolean counted(Srv s) {
        return !clock.instant().isBefore(s.server.created().plus(countDelay));
    }

    /** Why one more server of {@code f} is over quota, counting only what Nova counts now or every server. */
    private String overQuota(Flavor f, boolean countedOnly) {
        int instances = 0;
        int cores = 0;
        int ram = 0;
        for (Srv s : servers.values()) {
            if (!countedOnly || counted(s)) {
                instances++;
                cores += s.flavor.vcpus();
                ram += s.flavor.ramMb();
            }
        }
        if (maxInstances >= 0 && instances + 1 > maxInstances) {
            return "Quota exceeded for instances: Requested 1, but already used " + instances + " of "
                    + maxInstances + " instances";
        }
        if (maxCores >= 0 && cores + f.vcpus() > maxCores) {
            return "Quota exceeded for cores: Requested " + f.vcpus() + ", but already used " + cores + " of "
                    + maxCores + " cores";
        }
        if (maxRamMb >= 0 && ram + f.ramMb() > maxRamMb) {
            return "Quota exceeded for ram: Requested " + f.ramMb() + ", but already used " + ram + " of "
                    + maxRamMb + " ram";
        }
        return null;
    }

    /**
     * Moves every server along its life by the clock; the callbacks it causes wait in {@link #pending} until the
     * operation that caused them has left the lock ({@link #fire}), whatever operation it was.
     */
    private void advance() {
        Instant now = clock.instant();
        List<Runnable> events = pending;
        for (var it = servers.values().iterator(); it.hasNext(); ) {
            Srv s = it.next();
            if (s.goneAt != null && !now.isBefore(s.goneAt)) {
                it.remove();
                for (Port p : s.ports) {
                    floatingIps.replaceAll((id, f) -> p.id().equals(f.portId()) ? withPort(f, null) : f);
                }
                Server gone = s.server;
                Consumer<Server> g = onGone;
                events.add(() -> g.accept(gone));
                continue;
            }
            if (!s.activated && !now.isBefore(s.activeAt)) {
                s.activated = true;
                if (s.lateQuota) {
                    lateFailures++;
                    s.server = s.server.withStatus(Server.Status.ERROR, new Server.Fault(413,
                            "Quota exceeded for instances: Requested 1, but already used " + maxInstances + " of "
                                    + maxInstances + " instances"));
                } else {
                    s.server = new Server(s.server.id(), s.server.name(), Server.Status.ACTIVE, s.server.metadata(),
                            null, s.server.created(), nextAddress(), s.flavor.id());
                    for (int i = 0; i < s.networkIds.size(); i++) { // the first network's port has the address
                        s.ports.add(new Port(UUID.randomUUID().toString(), s.networkIds.get(i),
                                i == 0 ? s.server.address() : nextAddress(), s.server.id(), "ACTIVE"));
                    }
                    Server active = s.server;
                    String ud = s.userData;
                    BiConsumer<Server, String> a = onActive;
                    events.add(() -> a.accept(active, ud));
                }
            }
        }
    }

    /** The ports Nova's check at a create counts: every server's (made or to be made), and the foreign ones. */
    private int portsTaken() {
        int n = foreignPorts;
        for (Srv s : servers.values()) {
            n += s.networkIds.size();
        }
        return n;
    }

    /** Runs the callbacks the last operations caused; called outside the lock. */
    private void fire() {
        List<Runnable> events;
        synchronized (this) {
            events = new ArrayList<>(pending);
            pending.clear();
        }
        events.forEach(Runnable::run);
    }
}
