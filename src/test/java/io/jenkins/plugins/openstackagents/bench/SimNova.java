package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.FloatingIp;
import io.jenkins.plugins.openstackagents.nova.Image;
import io.jenkins.plugins.openstackagents.nova.Limits;
import io.jenkins.plugins.openstackagents.nova.Network;
import io.jenkins.plugins.openstackagents.nova.NeutronQuota;
import io.jenkins.plugins.openstackagents.nova.Port;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;

/**
 * A simulated Nova on the virtual clock, with the behaviour measured on the real one (see {@link Params}):
 * quota on instances, cores and RAM counted over every server until it is gone (ERROR and deleting ones too);
 * BUILD for a while, then ACTIVE; a delete answered 204 and the server gone (404) a while later; Nova's late
 * over-quota failure when creates race (several creates within {@link Params#raceWindow} of each other that
 * together exceed the quota are all accepted with 202, and the excess turns ERROR with fault 413
 * {@link Params#lateFailure} later); and occasional 500s. Every request is counted by kind and status, and per
 * minute by status class for the charts.
 *
 * <p>Requests take effect at once, at the virtual instant they are made; their response time is the caller's to
 * spend ({@link #latency}). {@link #client} is the plugin's view: a {@link Compute} that spends it in virtual time.
 */
final class SimNova {

    /** The simulated Nova's behaviour; defaults as measured on the real one (docs/benchmarks.md). */
    static final class Params {
        int maxInstances = 10;
        int maxCores = -1;
        int maxRamMb = -1;
        /** Share of requests answered 500 (nothing done). */
        double serverErrorRate = 0.005;
        double createMin = 0.1, createMax = 0.6;   // POST /servers response time, s
        double otherMin = 0.05, otherMax = 0.2;    // GET, DELETE, list response time, s
        double bootMin = 1.1, bootMax = 3.3;       // BUILD -> ACTIVE, s after the 202
        double deleteMin = 0.7, deleteMax = 1.9;   // DELETE -> 404, s
        double raceWindow = 1.0;                   // creates this close together race past the API's quota check
        double lateFailure = 1.6;                  // ... and the excess turns ERROR (fault 413) this much later

        Params quota(int instances, int cores, int ramMb) {
            maxInstances = instances;
            maxCores = cores;
            maxRamMb = ramMb;
            return this;
        }
    }

    /** A request Nova answered with an error status. */
    static final class NovaError extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;

        NovaError(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    /** Status classes of the per-minute series. */
    enum Outcome { OK, REFUSED, SERVER_ERROR, NOT_FOUND }

    static final class Srv {
        final String id;
        final String name;
        final Map<String, String> metadata;
        final Flavor flavor;
        final long createdAt;
        final long readyAt; // ACTIVE (or ERROR if late) from here
        final boolean late;
        long goneAt = Long.MAX_VALUE;
        boolean deleteRequested;

        Srv(String id, String name, Map<String, String> metadata, Flavor flavor, long createdAt, long readyAt,
            boolean late) {
            this.id = id;
            this.name = name;
            this.metadata = metadata;
            this.flavor = flavor;
            this.createdAt = createdAt;
            this.readyAt = readyAt;
            this.late = late;
        }
    }

    final Params p;
    private final VirtualTime vt;
    private final Random rnd;
    private final Map<String, Srv> servers = new LinkedHashMap<>();
    private final Map<String, Long> requests = new TreeMap<>();
    /** Requests per minute by outcome: minute -> counts. */
    final List<long[]> perMinute = new ArrayList<>();
    private long nextId;
    private long lateQuotaFailures;
    final List<Flavor> flavors;

    SimNova(Params p, VirtualTime vt, long seed, List<Flavor> flavors) {
        this.p = p;
        this.vt = vt;
        this.rnd = new Random(seed);
        this.flavors = List.copyOf(flavors);
    }

    // ------------------------------------------------------------------ observations

    /** Requests by "KIND STATUS", e.g. "POST /servers 403". */
    Map<String, Long> requests() {
        return new TreeMap<>(requests);
    }

    long total() {
        long n = 0;
        for (long v : requests.values()) {
            n += v;
        }
        return n;
    }

    long count(String kindStatus) {
        return requests.getOrDefault(kindStatus, 0L);
    }

    /** Creates Nova accepted with 202 and then failed with fault 413 (the late over-quota answer). */
    long lateQuotaFailures() {
        return lateQuotaFailures;
    }

    /** Servers Nova still knows, in any state. */
    int serverCount() {
        purge();
        return servers.size();
    }

    /** Servers in BUILD now. */
    int building() {
        purge();
        int n = 0;
        for (Srv s : servers.values()) {
            if (status(s) == Server.Status.BUILD) {
                n++;
            }
        }
        return n;
    }

    /**
     * When a server turns ACTIVE, in virtual seconds since the start; empty if it never will (it turns ERROR, or
     * Nova does not know it). What the server's own agent learns by booting, without asking the API.
     */
    java.util.OptionalDouble activeAt(String id) {
        Srv s = servers.get(id);
        return s == null || s.late ? java.util.OptionalDouble.empty() : java.util.OptionalDouble.of(s.readyAt / 1e9);
    }

    /** How many servers of this flavor the quota holds when nothing else runs. */
    int capacity(Flavor f) {
        int n = p.maxInstances < 0 ? Integer.MAX_VALUE : p.maxInstances;
        if (p.maxCores >= 0) {
            n = Math.min(n, p.maxCores / f.vcpus());
        }
        if (p.maxRamMb >= 0) {
            n = Math.min(n, p.maxRamMb / f.ramMb());
        }
        return n;
    }

    /** A response time for a request of this kind, drawn from the measured range. */
    double latency(String kind) {
        if (kind.startsWith("POST")) {
            return uniform(p.createMin, p.createMax);
        }
        return uniform(p.otherMin, p.otherMax);
    }

    double uniform(double min, double max) {
        return min + rnd.nextDouble() * (max - min);
    }

    // ------------------------------------------------------------------ the API, answered at the current instant

    Srv create(String name, Map<String, String> metadata, Flavor f) throws NovaError {
        String kind = "POST /servers";
        purge();
        maybeFail(kind);
        // the API checks quota against what it counts: creates of the last raceWindow are not in that count yet
        long recent = vt.nanos() - Math.round(p.raceWindow * 1e9);
        String over = overQuota(f, s -> s.createdAt <= recent);
        if (over != null) {
            count(kind, 403, Outcome.REFUSED);
            throw new NovaError(403, over);
        }
        boolean late = overQuota(f, s -> true) != null;
        long at = vt.nanos();
        long ready = at + Math.round((late ? p.lateFailure : uniform(p.bootMin, p.bootMax)) * 1e9);
        Srv s = new Srv("srv-" + (++nextId), name, Map.copyOf(metadata), f, at, ready, late);
        servers.put(s.id, s);
        if (late) {
            lateQuotaFailures++;
        }
        count(kind, 202, Outcome.OK);
        return s;
    }

    Optional<Srv> get(String id) throws NovaError {
        String kind = "GET /servers/{id}";
        purge();
        maybeFail(kind);
        Srv s = servers.get(id);
        if (s == null) {
            count(kind, 404, Outcome.NOT_FOUND);
            return Optional.empty();
        }
        count(kind, 200, Outcome.OK);
        return Optional.of(s);
    }

    List<Srv> list(Map<String, String> selector) throws NovaError {
        String kind = "GET /servers/detail";
        purge();
        maybeFail(kind);
        List<Srv> r = new ArrayList<>();
        for (Srv s : servers.values()) {
            if (s.metadata.entrySet().containsAll(selector.entrySet())) {
                r.add(s);
            }
        }
        count(kind, 200, Outcome.OK);
        return r;
    }

    /** True when accepted (204), false when already gone (404). */
    boolean delete(String id) throws NovaError {
        String kind = "DELETE /servers/{id}";
        purge();
        maybeFail(kind);
        Srv s = servers.get(id);
        if (s == null) {
            count(kind, 404, Outcome.NOT_FOUND);
            return false;
        }
        if (!s.deleteRequested) {
            s.deleteRequested = true;
            s.goneAt = vt.nanos() + Math.round(uniform(p.deleteMin, p.deleteMax) * 1e9);
        }
        count(kind, 204, Outcome.OK);
        return true;
    }

    Limits limits() throws NovaError {
        String kind = "GET /limits";
        purge();
        maybeFail(kind);
        int cores = 0;
        int ram = 0;
        for (Srv s : servers.values()) {
            cores += s.flavor.vcpus();
            ram += s.flavor.ramMb();
        }
        count(kind, 200, Outcome.OK);
        return new Limits(p.maxInstances, servers.size(), p.maxCores, cores, p.maxRamMb, ram);
    }

    List<Flavor> listFlavors() throws NovaError {
        String kind = "GET /flavors/detail";
        maybeFail(kind);
        count(kind, 200, Outcome.OK);
        return flavors;
    }

    Server.Status status(Srv s) {
        if (vt.nanos() < s.readyAt) {
            return Server.Status.BUILD;
        }
        return s.late ? Server.Status.ERROR : Server.Status.ACTIVE;
    }

    Server view(Srv s) {
        Server.Status st = status(s);
        Server.Fault fault = st == Server.Status.ERROR ? new Server.Fault(413, "Quota exceeded for instances: "
                + "Requested 1, but already used " + p.maxInstances + " of " + p.maxInstances + " instances") : null;
        return new Server(s.id, s.name, st, s.metadata, fault, VirtualTime.EPOCH.plusNanos(s.createdAt),
                st == Server.Status.ACTIVE ? "10.0.0.1" : null, s.flavor.id());
    }

    // ------------------------------------------------------------------ internals

    private void maybeFail(String kind) throws NovaError {
        if (rnd.nextDouble() < p.serverErrorRate) {
            count(kind, 500, Outcome.SERVER_ERROR);
            throw new NovaError(500, "Nova answered 500 (simulated)");
        }
    }

    private void count(String kind, int status, Outcome o) {
        requests.merge(kind + " " + status, 1L, Long::sum);
        int minute = (int) (vt.nanos() / 60_000_000_000L);
        while (perMinute.size() <= minute) {
            perMinute.add(new long[Outcome.values().length]);
        }
        perMinute.get(minute)[o.ordinal()]++;
    }

    private void purge() {
        long now = vt.nanos();
        for (Iterator<Srv> it = servers.values().iterator(); it.hasNext(); ) {
            if (it.next().goneAt <= now) {
                it.remove();
            }
        }
    }

    private String overQuota(Flavor f, java.util.function.Predicate<Srv> counted) {
        int n = 0;
        int cores = 0;
        int ram = 0;
        for (Srv s : servers.values()) {
            if (counted.test(s)) {
                n++;
                cores += s.flavor.vcpus();
                ram += s.flavor.ramMb();
            }
        }
        if (p.maxInstances >= 0 && n + 1 > p.maxInstances) {
            return "Quota exceeded for instances: Requested 1, but already used " + n + " of " + p.maxInstances
                    + " instances";
        }
        if (p.maxCores >= 0 && cores + f.vcpus() > p.maxCores) {
            return "Quota exceeded for cores: Requested " + f.vcpus() + ", but already used " + cores + " of "
                    + p.maxCores + " cores";
        }
        if (p.maxRamMb >= 0 && ram + f.ramMb() > p.maxRamMb) {
            return "Quota exceeded for ram: Requested " + f.ramMb() + ", but already used " + ram + " of "
                    + p.maxRamMb + " ram";
        }
        return null;
    }

    Flavor flavor(String idOrName) {
        for (Flavor f : flavors) {
            if (f.id().equals(idOrName) || f.name().equals(idOrName)) {
                return f;
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ the plugin's view

    /** The plugin's {@link Compute}: each call takes its response time in virtual time (limits, flavors: none). */
    Compute client(VirtualTime sleeper) {
        return new Compute() {
            @Override
            public Server create(ServerRequest r) throws ComputeException {
                Flavor f = flavor(r.flavorId());
                try {
                    Srv s = SimNova.this.create(r.name(), r.metadata(), f);
                    Server v = view(s);
                    spend("POST /servers");
                    return v;
                } catch (NovaError e) {
                    spend("POST /servers");
                    throw translate(e);
                }
            }

            @Override
            public Optional<Server> find(String id) throws ComputeException {
                try {
                    Optional<Server> v = get(id).map(SimNova.this::view);
                    spend("GET");
                    return v;
                } catch (NovaError e) {
                    spend("GET");
                    throw translate(e);
                }
            }

            @Override
            public List<Server> list(Map<String, String> metadata) throws ComputeException {
                try {
                    List<Server> r = new ArrayList<>();
                    for (Srv s : SimNova.this.list(metadata)) {
                        r.add(view(s));
                    }
                    spend("GET");
                    return r;
                } catch (NovaError e) {
                    spend("GET");
                    throw translate(e);
                }
            }

            @Override
            public boolean delete(String id) throws ComputeException {
                try {
                    boolean b = SimNova.this.delete(id);
                    spend("DELETE");
                    return b;
                } catch (NovaError e) {
                    spend("DELETE");
                    throw translate(e);
                }
            }

            @Override
            public Limits limits() throws ComputeException {
                try {
                    return SimNova.this.limits();
                } catch (NovaError e) {
                    throw translate(e);
                }
            }

            @Override
            public List<Flavor> flavors() throws ComputeException {
                try {
                    return listFlavors();
                } catch (NovaError e) {
                    throw translate(e);
                }
            }

            @Override
            public List<Image> images() {
                return List.of(new Image("img-1", "debian-12", "active"));
            }

            @Override
            public List<Network> networks() {
                return List.of(new Network("net-1", "private"));
            }

            // Nova only: a cloud without external networks, so without floating IPs to allocate

            @Override
            public List<Network> externalNetworks() {
                return List.of();
            }

            @Override
            public List<io.jenkins.plugins.openstackagents.nova.SecurityGroup> securityGroups() {
                return List.of();
            }

            @Override
            public List<Port> ports(String serverId) {
                return List.of();
            }

            @Override
            public List<FloatingIp> floatingIps(String descriptionPrefix) {
                return List.of();
            }

            @Override
            public FloatingIp allocateFloatingIp(String networkId, String description) {
                throw new UnsupportedOperationException("the simulated cloud has no external network");
            }

            @Override
            public FloatingIp associateFloatingIp(String floatingIpId, String portId) {
                throw new UnsupportedOperationException("the simulated cloud has no floating IPs");
            }

            @Override
            public boolean releaseFloatingIp(String floatingIpId) {
                return false;
            }

            @Override
            public NeutronQuota neutronQuota() {
                return new NeutronQuota(new NeutronQuota.Usage(-1, 0), new NeutronQuota.Usage(-1, 0));
            }

            private void spend(String kind) throws ComputeException {
                try {
                    sleeper.sleep(Duration.ofNanos(Math.round(latency(kind) * 1e9)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ComputeException(ComputeException.Kind.TRANSIENT, "interrupted");
                }
            }
        };
    }

    // ------------------------------------------------------------------ the models' view

    /**
     * The models' view: each request takes effect at once and its answer is run {@link #latency} later on the
     * virtual clock (the response time is drawn before the request is made).
     */
    ModelNova models(VirtualTime clock) {
        return new ModelNova() {
            @Override
            public <T> void call(String kind, Request<T> request, java.util.function.Consumer<T> ok,
                                 java.util.function.Consumer<ComputeException> failed) {
                double latency = latency(kind);
                try {
                    T r = request.call();
                    clock.after(latency, () -> ok.accept(r));
                } catch (ComputeException e) {
                    clock.after(latency, () -> failed.accept(e));
                }
            }

            @Override
            public String create(String name, Map<String, String> metadata, Flavor f) throws ComputeException {
                try {
                    return SimNova.this.create(name, metadata, f).id;
                } catch (NovaError e) {
                    throw translate(e);
                }
            }

            @Override
            public Optional<Server.Status> status(String id) throws ComputeException {
                try {
                    return get(id).map(SimNova.this::status);
                } catch (NovaError e) {
                    throw translate(e);
                }
            }

            @Override
            public List<String> list(Map<String, String> selector) throws ComputeException {
                try {
                    List<String> ids = new ArrayList<>();
                    for (Srv s : SimNova.this.list(selector)) {
                        ids.add(s.id);
                    }
                    return ids;
                } catch (NovaError e) {
                    throw translate(e);
                }
            }

            @Override
            public boolean delete(String id) throws ComputeException {
                try {
                    return SimNova.this.delete(id);
                } catch (NovaError e) {
                    throw translate(e);
                }
            }

            @Override
            public int maxInstances() {
                return p.maxInstances;
            }

            @Override
            public double uniform(double min, double max) {
                return SimNova.this.uniform(min, max);
            }
        };
    }

    private static ComputeException translate(NovaError e) {
        switch (e.status) {
            case 403: return new ComputeException(ComputeException.Kind.QUOTA_EXCEEDED, e.getMessage());
            case 404: return new ComputeException(ComputeException.Kind.NOT_FOUND, e.getMessage());
            default: return new ComputeException(ComputeException.Kind.TRANSIENT, e.getMessage());
        }
    }
}
