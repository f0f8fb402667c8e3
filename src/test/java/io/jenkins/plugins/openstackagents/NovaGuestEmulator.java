package io.jenkins.plugins.openstackagents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Plays cloud-init for the servers of a real Nova whose fake virt driver starts no operating system: it watches
 * the project's servers as an administrator, reads the user data of each of the plugin's servers that turns
 * ACTIVE (microversion 2.3 shows it to administrators) and plays it ({@link GuestEmulator}: a cloud-config gets an
 * SSH daemon on the address Nova reports for the server, a script is run with bash); when Nova no longer lists the
 * server, it kills what it started. It keeps the user data of every server it saw, for the tests to inspect. Test code: it talks to Nova with the JDK's
 * HTTP client, not through the plugin.
 *
 * <p>It plays floating IPs too: while a floating IP of the project is associated with a port of a guest (its fixed
 * address is one of the guest's), what listens on the guest's address (its SSH daemon: same host key, same authorized
 * keys, same port) answers on the floating address as well ({@link TcpForward}, from the moment the daemon listens);
 * once the floating IP is disassociated or released, or the server is gone, nothing listens there.
 *
 * <p>It asks little of Nova: every {@value #POLL_MS} ms only for the servers that changed since it last asked
 * ({@code changes-since}, which also lists servers deleted since), and for the whole list every
 * {@value #FULL_LIST_MS} ms; of Neutron, only while one of its guests runs, every {@value #FLOATING_POLL_MS} ms one
 * list of the project's floating IPs ({@link #neutronRequests()} counts them). Its requests are the admin project's;
 * the plugin's are the jenkins project's (see the README on counting them).
 */
public final class NovaGuestEmulator implements AutoCloseable {

    private static final Logger LOGGER = Logger.getLogger(NovaGuestEmulator.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    static final long POLL_MS = 2000;
    static final long FULL_LIST_MS = 30_000;
    static final long FLOATING_POLL_MS = 500;

    private final LocalOpenStack os;
    private final GuestEmulator guests;
    /** When the last full list was read, and the Nova time from which the next changes are asked. */
    private long fullListAt;
    private String changesSince;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** The guests running now, by server id. */
    private final Map<String, Server> booted = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger boots = new java.util.concurrent.atomic.AtomicInteger();
    /** The user data of every server of the plugin this emulator saw, in any state, by server id. */
    private final Map<String, String> userDataSeen = new java.util.concurrent.ConcurrentHashMap<>();
    /** Each running guest's fixed IPv4 addresses (one per port), by server id. */
    private final Map<String, Set<String>> fixedAddresses = new java.util.concurrent.ConcurrentHashMap<>();
    /** The floating addresses the guests answer on now, by floating address. */
    private final Map<String, Floating> floating = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger neutronRequests = new java.util.concurrent.atomic.AtomicInteger();
    private final Thread thread;
    private volatile boolean running = true;
    private String token;

    public NovaGuestEmulator(LocalOpenStack os, File dir) {
        this(os, new GuestEmulator(dir));
    }

    private NovaGuestEmulator(LocalOpenStack os, GuestEmulator guests) {
        this.os = os;
        this.guests = guests;
        this.thread = new Thread(this::loop, "nova-guest-emulator");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Runs the emulator on its own, for the demo ({@code ./demo.sh}): plays the guests of the local OpenStack
     * described by the {@code openstack.lite.properties} system property until killed.
     */
    public static void main(String[] args) throws Exception {
        File dir = new File(args.length > 0 ? args[0] : "work/guests");
        if (!dir.isDirectory() && !dir.mkdirs()) {
            throw new IOException("cannot create " + dir);
        }
        GuestEmulator guests = new GuestEmulator(dir);
        if (args.length > 1) { // the folder each guest sees as its own disk
            guests.givePrivate(new File(args[1]));
        }
        NovaGuestEmulator e = new NovaGuestEmulator(LocalOpenStack.get(), guests);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                e.close();
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }));
        System.out.println("Guest emulator running: the user data of each ACTIVE agent server is run in " + dir);
        e.thread.join();
    }

    /** From now on, each SSH guest's daemon is the machine's real OpenSSH server, not MINA's. */
    public void useOpenSsh() {
        guests.sshOpenSsh = true;
    }

    /** Servers whose user data was run. */
    public int booted() {
        return boots.get();
    }

    /** The user data of every server of the plugin seen so far (any state, deleted ones included), by server id. */
    public Map<String, String> userDataSeen() {
        return Map.copyOf(userDataSeen);
    }

    /** Requests this emulator sent to Neutron (lists of the project's floating IPs). */
    public int neutronRequests() {
        return neutronRequests.get();
    }

    /** The floating addresses the guests answer on now: the server id, by floating address. */
    public Map<String, String> floatingAddresses() {
        Map<String, String> r = new java.util.TreeMap<>();
        floating.forEach((address, f) -> r.put(address, f.serverId()));
        return r;
    }

    /**
     * The first fixed IPv4 address Nova reports for the server, networks in name order (what the plugin picks too);
     * its guest's SSH daemon listens there.
     */
    static String firstIpv4(JsonNode addresses) {
        java.util.List<String> fixed = fixedIpv4(addresses);
        return fixed.isEmpty() ? null : fixed.get(0);
    }

    /** Every fixed IPv4 address Nova reports for the server (not its floating ones), networks in name order. */
    static java.util.List<String> fixedIpv4(JsonNode addresses) {
        java.util.List<String> names = new java.util.ArrayList<>();
        addresses.fieldNames().forEachRemaining(names::add);
        java.util.Collections.sort(names);
        java.util.List<String> r = new java.util.ArrayList<>();
        for (String n : names) {
            for (JsonNode a : addresses.path(n)) {
                if (a.path("version").asInt(4) == 4 && !a.path("addr").asText("").isEmpty()
                        && !"floating".equals(a.path("OS-EXT-IPS:type").asText())) {
                    r.add(a.path("addr").asText());
                }
            }
        }
        return r;
    }

    private void loop() {
        long nextNovaPoll = 0;
        while (running) {
            try {
                if (System.currentTimeMillis() >= nextNovaPoll) {
                    nextNovaPoll = System.currentTimeMillis() + POLL_MS;
                    poll();
                }
                if (booted.isEmpty()) {
                    stopFloating(serverId -> true);
                } else {
                    pollFloatingIps();
                }
            } catch (IOException e) {
                LOGGER.fine("guest emulator poll failed: " + e);
                token = null;
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(FLOATING_POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A floating address a guest answers on, and the forward to its daemon. */
    private record Floating(String serverId, TcpForward forward) {}

    /**
     * One list of the project's floating IPs: each associated with a guest's fixed address makes that guest answer on
     * the floating address (once its daemon listens); each that no longer is stops.
     */
    private void pollFloatingIps() throws IOException, InterruptedException {
        if (token == null) {
            token = token();
        }
        String url = os.neutronUrl() + "/v2.0/floatingips?project_id=" + os.projectId()
                + "&fields=floating_ip_address&fields=fixed_ip_address";
        neutronRequests.incrementAndGet();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).header("X-Auth-Token", token)
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 401) {
            token = null;
            return;
        }
        if (r.statusCode() != 200) {
            throw new IOException("Neutron answered " + r.statusCode());
        }
        Map<String, String> guestOf = new java.util.HashMap<>(); // fixed address -> server id
        fixedAddresses.forEach((id, addresses) -> addresses.forEach(a -> guestOf.put(a, id)));
        Map<String, String> wanted = new java.util.HashMap<>(); // floating address -> server id
        for (JsonNode f : JSON.readTree(r.body()).path("floatingips")) {
            String id = guestOf.get(f.path("fixed_ip_address").asText(""));
            if (id != null) {
                wanted.put(f.path("floating_ip_address").asText(), id);
            }
        }
        for (Map.Entry<String, Floating> e : floating.entrySet()) {
            if (!e.getValue().serverId().equals(wanted.get(e.getKey())) && floating.remove(e.getKey(), e.getValue())) {
                e.getValue().forward().close();
            }
        }
        int port = guests.sshPort;
        for (Map.Entry<String, String> w : wanted.entrySet()) {
            Server s = booted.get(w.getValue());
            if (floating.containsKey(w.getKey()) || s == null || s.address() == null
                    || !TcpForward.listening(s.address(), port)) {
                continue; // answering already, gone, or its daemon does not listen (yet): nothing answers
            }
            try {
                floating.put(w.getKey(), new Floating(w.getValue(), new TcpForward(w.getKey(), s.address(), port)));
            } catch (IOException e) {
                System.out.println("guest " + s.name() + ": cannot listen on floating address " + w.getKey() + ":"
                        + port + ": " + e);
            }
        }
    }

    /** The floating addresses of the servers {@code which} selects stop answering. */
    private void stopFloating(java.util.function.Predicate<String> which) {
        for (Map.Entry<String, Floating> e : floating.entrySet()) {
            if (which.test(e.getValue().serverId()) && floating.remove(e.getKey(), e.getValue())) {
                e.getValue().forward().close();
            }
        }
    }

    /** The guest of a server Nova no longer lists stops, on its fixed and floating addresses. */
    private void gone(String serverId, Server server) {
        fixedAddresses.remove(serverId);
        stopFloating(serverId::equals);
        guests.halt(server);
    }

    private void poll() throws IOException, InterruptedException {
        if (token == null) {
            token = token();
        }
        boolean full = changesSince == null || System.currentTimeMillis() - fullListAt >= FULL_LIST_MS;
        String url = os.novaUrl() + "/servers/detail?all_tenants=1"
                + (full ? "" : "&changes-since=" + java.net.URLEncoder.encode(changesSince, StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url))
                .header("X-Auth-Token", token).header("X-OpenStack-Nova-API-Version", "2.3")
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 401) {
            token = null;
            return;
        }
        if (r.statusCode() != 200) {
            throw new IOException("Nova answered " + r.statusCode());
        }
        // the next changes are asked from a little before Nova's time of this answer (its Date header, to the second)
        String date = r.headers().firstValue("Date").orElse(null);
        java.time.Instant now = date == null ? java.time.Instant.now()
                : java.time.ZonedDateTime.parse(date, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Set<String> present = new HashSet<>();
        for (JsonNode s : JSON.readTree(r.body()).path("servers")) {
            String id = s.path("id").asText();
            String status = s.path("status").asText();
            if (s.path("metadata").has(Ownership.KEY_AGENT) && s.hasNonNull("OS-EXT-SRV-ATTR:user_data")) {
                userDataSeen.putIfAbsent(id, new String(Base64.getDecoder().decode(
                        s.path("OS-EXT-SRV-ATTR:user_data").asText("")), StandardCharsets.UTF_8));
            }
            if ("DELETED".equals(status) || "SOFT_DELETED".equals(status)) {
                Server gone = booted.remove(id);
                if (gone != null) {
                    gone(id, gone);
                }
                continue;
            }
            present.add(id);
            if (!s.path("metadata").has(Ownership.KEY_AGENT) || booted.containsKey(id) || !"ACTIVE".equals(status)) {
                continue;
            }
            String userData = new String(Base64.getDecoder().decode(s.path("OS-EXT-SRV-ATTR:user_data").asText("")),
                    StandardCharsets.UTF_8);
            Server server = new Server(id, s.path("name").asText(), Server.Status.ACTIVE, Map.of(), null, null,
                    firstIpv4(s.path("addresses")), null);
            fixedAddresses.put(id, Set.copyOf(fixedIpv4(s.path("addresses"))));
            booted.put(id, server);
            boots.incrementAndGet();
            guests.boot(server, userData);
        }
        if (full) {
            for (Iterator<Map.Entry<String, Server>> it = booted.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Server> e = it.next();
                if (!present.contains(e.getKey())) {
                    it.remove();
                    gone(e.getKey(), e.getValue());
                }
            }
            fullListAt = System.currentTimeMillis();
        }
        changesSince = java.time.format.DateTimeFormatter.ISO_INSTANT.format(now.minusSeconds(5)
                .truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    private String token() throws IOException, InterruptedException {
        String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\""
                + os.adminUsername() + "\",\"domain\":{\"name\":\"" + os.domain() + "\"},\"password\":\""
                + os.adminPassword() + "\"}}},\"scope\":{\"project\":{\"name\":\"" + os.adminProject()
                + "\",\"domain\":{\"name\":\"" + os.domain() + "\"}}}}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(os.authUrl() + "/auth/tokens"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return r.headers().firstValue("X-Subject-Token")
                .orElseThrow(() -> new IOException("Keystone gave the admin no token: " + r.statusCode()));
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.interrupt();
        thread.join(5000);
        stopFloating(serverId -> true);
        fixedAddresses.clear();
        guests.haltAll();
    }
}
