package io.jenkins.plugins.openstackagents.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jenkins.plugins.openstackagents.LocalOpenStack;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the browser tests set up on the local OpenStack around the plugin, with the JDK's HTTP client: a flavor
 * that is deleted after it was configured, a network for the dropdown, and the servers left of a cloud.
 */
public final class OpenStackApi {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalOpenStack os;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public OpenStackApi(LocalOpenStack os) {
        this.os = os;
    }

    /** A token of the admin (for flavors) or of the jenkins project's user (for its networks and servers). */
    private String token(boolean admin) throws IOException, InterruptedException {
        String user = admin ? os.adminUsername() : os.username();
        String password = admin ? os.adminPassword() : os.password();
        String project = admin ? os.adminProject() : os.project();
        String body = "{\"auth\":{\"identity\":{\"methods\":[\"password\"],\"password\":{\"user\":{\"name\":\"" + user
                + "\",\"domain\":{\"name\":\"" + os.domain() + "\"},\"password\":\"" + password + "\"}}},"
                + "\"scope\":{\"project\":{\"name\":\"" + project + "\",\"domain\":{\"name\":\"" + os.domain()
                + "\"}}}}}";
        HttpResponse<String> r = send("POST", os.authUrl() + "/auth/tokens", null, body);
        return r.headers().firstValue("X-Subject-Token")
                .orElseThrow(() -> new IOException("Keystone gave no token: " + r.statusCode() + " " + r.body()));
    }

    private HttpResponse<String> send(String method, String url, String token, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("X-Auth-Token", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode call(boolean admin, String method, String url, String body) throws Exception {
        HttpResponse<String> r = send(method, url, token(admin), body);
        if (r.statusCode() >= 300) {
            throw new IOException(method + " " + url + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? null : JSON.readTree(r.body());
    }

    /** Creates a public flavor; returns its id. */
    String createFlavor(String name) throws Exception {
        return call(true, "POST", os.novaUrl() + "/flavors", "{\"flavor\":{\"name\":\"" + name
                + "\",\"ram\":512,\"vcpus\":1,\"disk\":1}}").path("flavor").path("id").asText();
    }

    void deleteFlavor(String id) throws Exception {
        call(true, "DELETE", os.novaUrl() + "/flavors/" + id, null);
    }

    /**
     * Creates a network the jenkins project sees (the rig has no tenant network types: a shared flat network, made
     * by the admin, on a physical network of its own); returns its id.
     */
    String createNetwork(String name) throws Exception {
        return call(true, "POST", neutronUrl() + "/v2.0/networks", "{\"network\":{\"name\":\"" + name
                + "\",\"shared\":true,\"provider:network_type\":\"flat\",\"provider:physical_network\":\"" + name
                + "\"}}").path("network").path("id").asText();
    }

    public void deleteNetwork(String id) throws Exception {
        call(true, "DELETE", neutronUrl() + "/v2.0/networks/" + id, null);
    }

    /**
     * Creates a flat network of the jenkins project on a physical network the rig binds ports on, with one subnet
     * (DHCP off, gateway {@code .0.1} of the /16); returns its id. While it exists the project has no default network.
     */
    public String createProjectNetwork(String name, String physnet, String cidr) throws Exception {
        String id = call(true, "POST", neutronUrl() + "/v2.0/networks", "{\"network\":{\"name\":\"" + name
                + "\",\"project_id\":\"" + os.projectId() + "\",\"provider:network_type\":\"flat\","
                + "\"provider:physical_network\":\"" + physnet + "\"}}").path("network").path("id").asText();
        call(true, "POST", neutronUrl() + "/v2.0/subnets", "{\"subnet\":{\"network_id\":\"" + id
                + "\",\"project_id\":\"" + os.projectId() + "\",\"ip_version\":4,\"cidr\":\"" + cidr
                + "\",\"gateway_ip\":\"" + cidr.replaceFirst("0\\.0/16$", "0.1") + "\",\"enable_dhcp\":false}}");
        return id;
    }

    /** The networks of the server's ports, as Neutron lists them. */
    List<String> portNetworksOf(String serverId) throws Exception {
        List<String> r = new ArrayList<>();
        for (JsonNode p : call(true, "GET", neutronUrl() + "/v2.0/ports?device_id=" + serverId, null).path("ports")) {
            r.add(p.path("network_id").asText());
        }
        return r;
    }

    /** Neutron's floating IP quota of the jenkins project; {@code -1}: unlimited. */
    public void setFloatingIpQuota(int n) throws Exception {
        call(true, "PUT", neutronUrl() + "/v2.0/quotas/" + os.projectId(), "{\"quota\":{\"floatingip\":" + n + "}}");
    }

    /** Neutron's port quota of the jenkins project; {@code -1}: unlimited. */
    public void setPortQuota(int n) throws Exception {
        call(true, "PUT", neutronUrl() + "/v2.0/quotas/" + os.projectId(), "{\"quota\":{\"port\":" + n + "}}");
    }

    /** Neutron's port quota of the jenkins project: its limit and what Neutron counts against it (used, reserved). */
    public int[] portQuota() throws Exception {
        JsonNode p = call(true, "GET", neutronUrl() + "/v2.0/quotas/" + os.projectId() + "/details", null)
                .path("quota").path("port");
        return new int[] {p.path("limit").asInt(), p.path("used").asInt() + p.path("reserved").asInt()};
    }

    private String neutronUrl() {
        return os.authUrl().replaceFirst(":5000/v3/?$", ":9696");
    }

    /** The ids of the jenkins project's servers whose ownership metadata names a cloud whose name starts so. */
    List<String> serversOf(String cloudPrefix) throws Exception {
        List<String> ids = new ArrayList<>();
        for (JsonNode s : call(false, "GET", os.novaUrl() + "/servers/detail", null).path("servers")) {
            if (s.path("metadata").path(Ownership.KEY_CLOUD).asText().startsWith(cloudPrefix)) {
                ids.add(s.path("id").asText());
            }
        }
        return ids;
    }

    /**
     * Deletes the servers of the clouds whose names start so, and waits until Nova has dropped them: a Hudson
     * stopped with servers in flight (an interrupted run) leaves them, and no later Hudson owns them.
     */
    void deleteServersOf(String cloudPrefix) throws Exception {
        for (String id : serversOf(cloudPrefix)) {
            deleteServer(id);
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (!serversOf(cloudPrefix).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
        }
    }

    void deleteServer(String id) throws Exception {
        HttpResponse<String> r = send("DELETE", os.novaUrl() + "/servers/" + id, token(false), null);
        if (r.statusCode() >= 300 && r.statusCode() != 404) {
            throw new IOException("DELETE server " + id + " answered " + r.statusCode());
        }
    }
}
