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
 * ACTIVE (microversion 2.3 shows it to administrators) and runs it with bash, which starts the inbound agent;
 * when Nova no longer lists the server, it kills what it started. Test code: it talks to Nova with the JDK's
 * HTTP client, not through the plugin.
 */
public final class NovaGuestEmulator implements AutoCloseable {

    private static final Logger LOGGER = Logger.getLogger(NovaGuestEmulator.class.getName());
    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalOpenStack os;
    private final GuestEmulator guests;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Server> booted = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private String token;

    public NovaGuestEmulator(LocalOpenStack os, File dir) {
        this.os = os;
        this.guests = new GuestEmulator(dir);
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
        NovaGuestEmulator e = new NovaGuestEmulator(LocalOpenStack.get(), dir);
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

    /** Servers whose user data was run. */
    public int booted() {
        return booted.size();
    }

    private void loop() {
        while (running) {
            try {
                poll();
            } catch (IOException e) {
                LOGGER.fine("guest emulator poll failed: " + e);
                token = null;
            } catch (InterruptedException e) {
                return;
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void poll() throws IOException, InterruptedException {
        if (token == null) {
            token = token();
        }
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(os.novaUrl() + "/servers/detail?all_tenants=1"))
                .header("X-Auth-Token", token).header("X-OpenStack-Nova-API-Version", "2.3")
                .timeout(Duration.ofSeconds(20)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 401) {
            token = null;
            return;
        }
        if (r.statusCode() != 200) {
            throw new IOException("Nova answered " + r.statusCode());
        }
        Set<String> present = new HashSet<>();
        for (JsonNode s : JSON.readTree(r.body()).path("servers")) {
            String id = s.path("id").asText();
            present.add(id);
            if (!s.path("metadata").has(Ownership.KEY_AGENT) || booted.containsKey(id)
                    || !"ACTIVE".equals(s.path("status").asText())) {
                continue;
            }
            String userData = new String(Base64.getDecoder().decode(s.path("OS-EXT-SRV-ATTR:user_data").asText("")),
                    StandardCharsets.UTF_8);
            Server server = new Server(id, s.path("name").asText(), Server.Status.ACTIVE, Map.of(), null, null, null,
                    null);
            booted.put(id, server);
            guests.boot(server, userData);
        }
        for (Iterator<Map.Entry<String, Server>> it = booted.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Server> e = it.next();
            if (!present.contains(e.getKey())) {
                guests.halt(e.getValue());
            }
        }
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
        guests.haltAll();
    }
}
