package io.jenkins.plugins.openstackagents;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import io.jenkins.plugins.openstackagents.ssh.SshKeys;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * What the local OpenStack gives for several networks and floating IPs, and the guest emulator's part, seen through
 * Nova's and Neutron's REST APIs as user jenkins (not through the plugin): a server on agents-net; a floating IP of agents-ext associated with its agents-net port makes its guest's SSH
 * daemon (same host key, same login key) answer on the floating address, until the floating IP is disassociated or
 * the server deleted; Neutron then keeps the floating IP allocated, with no port, until it is released.
 */
public class RigNetworksIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String USER = "agent";

    private final LocalOpenStack os = LocalOpenStack.get();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String token;
    private NovaGuestEmulator guests;
    private String serverId;
    private String floatingIpId;

    @Before
    public void start() throws Exception {
        token = jenkinsToken();
        guests = new NovaGuestEmulator(os, Files.createTempDirectory("rig-networks-it").toFile());
    }

    @After
    public void cleanUp() throws Exception {
        try {
            if (serverId != null) {
                send("DELETE", os.novaUrl() + "/servers/" + serverId, null);
                await("server " + serverId + " gone",
                        () -> status("GET", os.novaUrl() + "/servers/" + serverId) == 404);
            }
            if (floatingIpId != null) {
                send("DELETE", os.neutronUrl() + "/v2.0/floatingips/" + floatingIpId, null);
            }
        } finally {
            guests.close();
        }
    }

    @Test
    public void aFloatingIpAssociatedWithAServersPortReachesItsSshDaemonUntilItIsNot() throws Exception {
        java.security.KeyPair host = SshKeys.generate();
        java.security.KeyPair login = SshKeys.generate();
        String userData = "#cloud-config\nusers:\n  - default\n  - name: " + USER + "\n    shell: /bin/sh\n"
                + "    ssh_authorized_keys:\n      - " + SshKeys.publicKeyLine(login.getPublic()) + "\n"
                + "ssh_deletekeys: true\nssh_genkeytypes: []\nssh_keys:\n  ecdsa_private: |\n"
                + SshKeys.privateKeyText(host).lines().map(l -> "    " + l + "\n").reduce("", String::concat)
                + "  ecdsa_public: " + SshKeys.publicKeyLine(host.getPublic()) + "\n";
        ObjectNode server = JSON.createObjectNode();
        ObjectNode s = server.putObject("server");
        s.put("name", "rig-networks-it").put("imageRef", os.imageId()).put("flavorRef", os.flavorSmall())
                .put("user_data", Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8)));
        s.putArray("networks").add(JSON.createObjectNode().put("uuid", os.networkId()));
        s.putObject("metadata").put(Ownership.KEY_CONTROLLER, "rig-networks-it").put(Ownership.KEY_AGENT, "rig-it");
        serverId = send("POST", os.novaUrl() + "/servers", server).path("server").path("id").asText();

        // ACTIVE with an address on each network
        JsonNode[] active = new JsonNode[1];
        await("server ACTIVE", () -> {
            active[0] = get(os.novaUrl() + "/servers/" + serverId).path("server");
            assertFalse("server went ERROR: " + active[0].path("fault"), "ERROR".equals(active[0].path("status").asText()));
            return "ACTIVE".equals(active[0].path("status").asText());
        });
        String fixed = active[0].path("addresses").path("agents-net").path(0).path("addr").asText();
        assertTrue("on agents-net: " + active[0].path("addresses"), fixed.startsWith("127.10."));
        await("the guest's SSH daemon on " + fixed, () -> TcpForward.listening(fixed, 22));

        // a floating IP of agents-ext, associated with the agents-net port
        String port = get(os.neutronUrl() + "/v2.0/ports?device_id=" + serverId + "&network_id=" + os.networkId())
                .path("ports").path(0).path("id").asText();
        ObjectNode allocate = JSON.createObjectNode();
        allocate.putObject("floatingip").put("floating_network_id", os.externalNetworkId())
                .put("description", "rig-networks-it");
        JsonNode f = send("POST", os.neutronUrl() + "/v2.0/floatingips", allocate).path("floatingip");
        floatingIpId = f.path("id").asText();
        String address = f.path("floating_ip_address").asText();
        assertTrue("in agents-ext's subnet: " + f, address.startsWith("127.20."));
        assertEquals("rig-networks-it", f.path("description").asText());
        associate(port);
        await("the guest answering on " + address, () -> guests.floatingAddresses().containsKey(address));
        assertEquals(serverId, guests.floatingAddresses().get(address));
        assertEquals("over the floating address: the guest's host key and login key", "floating\n",
                ssh(address, host, login, "echo floating"));

        // disassociated: nothing answers there
        associate(null);
        await("the guest no longer answering on " + address, () -> !guests.floatingAddresses().containsKey(address));
        assertFalse("nothing listens on " + address, connects(address));
        assertEquals("on the fixed address it still does", "fixed\n", ssh(fixed, host, login, "echo fixed"));

        // associated again, then the server deleted: its ports go, the floating IP stays allocated with no port
        associate(port);
        await("the guest answering on " + address + " again", () -> guests.floatingAddresses().containsKey(address));
        int neutronBefore = guests.neutronRequests();
        send("DELETE", os.novaUrl() + "/servers/" + serverId, null);
        await("server gone", () -> status("GET", os.novaUrl() + "/servers/" + serverId) == 404);
        serverId = null;
        await("the guest no longer answering on " + address, () -> guests.floatingAddresses().isEmpty());
        assertFalse("nothing listens on " + address, connects(address));
        assertEquals("its agents-net port is gone", 404, status("GET", os.neutronUrl() + "/v2.0/ports/" + port));
        JsonNode left = get(os.neutronUrl() + "/v2.0/floatingips/" + floatingIpId).path("floatingip");
        assertTrue("still allocated, no port: " + left, left.path("port_id").isNull());
        assertTrue(left.path("fixed_ip_address").isNull());
        assertEquals(address, left.path("floating_ip_address").asText());
        assertTrue("Neutron asked: " + guests.neutronRequests(), guests.neutronRequests() > neutronBefore);
        Thread.sleep(2 * NovaGuestEmulator.POLL_MS); // the emulator's next Nova list sees the server deleted
        int idle = guests.neutronRequests();
        Thread.sleep(4 * NovaGuestEmulator.FLOATING_POLL_MS);
        assertEquals("no Neutron request while no guest runs", idle, guests.neutronRequests());

        assertEquals(204, status("DELETE", os.neutronUrl() + "/v2.0/floatingips/" + floatingIpId));
        assertEquals(404, status("GET", os.neutronUrl() + "/v2.0/floatingips/" + floatingIpId));
        floatingIpId = null;
    }

    private void associate(String portId) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("floatingip").put("port_id", portId);
        send("PUT", os.neutronUrl() + "/v2.0/floatingips/" + floatingIpId, body);
    }

    /** Runs the command over SSH at the address, as the guest's user, accepting only the host key. */
    private static String ssh(String address, java.security.KeyPair host, java.security.KeyPair login, String command)
            throws IOException {
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, remote, key) -> KeyUtils.compareKeys(key, host.getPublic()));
        client.start();
        try (ClientSession session = client.connect(USER, address, 22).verify(10, TimeUnit.SECONDS).getSession()) {
            session.addPublicKeyIdentity(login);
            session.auth().verify(10, TimeUnit.SECONDS);
            return session.executeRemoteCommand(command);
        } finally {
            client.stop();
        }
    }

    private static boolean connects(String address) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, 22), 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void await(String what, BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + WAIT.toSeconds() + " s: " + what);
            }
            Thread.sleep(100);
        }
    }

    private String jenkinsToken() throws Exception {
        String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\""
                + os.username() + "\",\"domain\":{\"name\":\"" + os.domain() + "\"},\"password\":\"" + os.password()
                + "\"}}},\"scope\":{\"project\":{\"name\":\"" + os.project() + "\",\"domain\":{\"name\":\""
                + os.domain() + "\"}}}}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(os.authUrl() + "/auth/tokens"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        return r.headers().firstValue("X-Subject-Token").orElseThrow(() -> new IOException("no token: " + r.body()));
    }

    private JsonNode get(String url) {
        try {
            return send("GET", url, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private int status(String method, String url) {
        try {
            return request(method, url, null).statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The answer's body; fails on an answer other than 2xx. */
    private JsonNode send(String method, String url, JsonNode body) throws Exception {
        HttpResponse<String> r = request(method, url, body);
        assertTrue(method + " " + url + " answered " + r.statusCode() + ": " + r.body(), r.statusCode() / 100 == 2);
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }

    private HttpResponse<String> request(String method, String url, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("X-Auth-Token", token).header("X-OpenStack-Nova-API-Version", "2.37")
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertNotNull(r);
        return r;
    }
}
