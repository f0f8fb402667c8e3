package io.jenkins.plugins.openstackagents.nova;

import static org.hamcrest.MatcherAssert.assertThat;
import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.CoreMatchers.not;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.jenkins.plugins.openstackagents.nova.ComputeException.Kind;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings.ApplicationCredential;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings.Password;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

/**
 * {@link Openstack4jCompute} against a stub of Keystone v3, Nova 2.1, Glance v2 and Neutron on 127.0.0.1: the
 * requests it sends and how it reads every kind of answer.
 */
public class Openstack4jComputeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String QUOTA_MESSAGE =
            "Quota exceeded for instances: Requested 1, but already used 3 of 3 instances";

    @Rule
    public TemporaryFolder tmp = new TemporaryFolder();

    private StubCloud cloud;

    @Before
    public void startStub() throws IOException {
        cloud = StubCloud.http();
    }

    @After
    public void stopStub() {
        cloud.close();
    }

    // ------------------------------------------------------------------------------------------- success paths

    @Test
    public void passwordTokenIsScopedToTheProjectInTheDomain() throws Exception {
        compute().limits();

        Recorded auth = cloud.only("POST", "/identity/v3/auth/tokens");
        JsonNode a = auth.json().path("auth");
        assertEquals("[\"password\"]", a.path("identity").path("methods").toString());
        JsonNode user = a.path("identity").path("password").path("user");
        assertEquals("jenkins", user.path("name").asText());
        assertEquals("secret", user.path("password").asText());
        assertEquals("Default", user.path("domain").path("name").asText());
        assertEquals("jenkins", a.path("scope").path("project").path("name").asText());
        assertEquals("Default", a.path("scope").path("project").path("domain").path("name").asText());
        assertEquals(cloud.lastToken(), cloud.only("GET", "/compute/v2.1/limits").header("X-Auth-Token"));
    }

    @Test
    public void applicationCredentialTokenIsAskedThroughOpenstack4j() throws Exception {
        Compute c = compute(settings(new ApplicationCredential("ac-id", "ac-secret")));
        assertEquals(3, c.limits().maxInstances());

        JsonNode a = cloud.only("POST", "/identity/v3/auth/tokens").json().path("auth");
        assertEquals("[\"application_credential\"]", a.path("identity").path("methods").toString());
        assertEquals("ac-id", a.path("identity").path("application_credential").path("id").asText());
        assertEquals("ac-secret", a.path("identity").path("application_credential").path("secret").asText());
        assertTrue("an application credential carries its own scope", a.path("scope").isMissingNode());
    }

    @Test
    public void authUrlWithoutVersionGetsV3() {
        assertEquals("http://h:5000/v3", Openstack4jCompute.keystoneV3("http://h:5000"));
        assertEquals("http://h:5000/v3", Openstack4jCompute.keystoneV3("http://h:5000/v3/"));
        assertEquals("https://h/identity/v3", Openstack4jCompute.keystoneV3(" https://h/identity/ "));
    }

    @Test
    public void createSendsEverythingAndAnswersBuild() throws Exception {
        ServerRequest request = new ServerRequest("agent-1", "1", "img-1", List.of(), "jenkins-key",
                List.of("default", "ssh"), "nova", "#!/bin/sh\necho héllo\n",
                Map.of("jenkins-cloud", "os", "jenkins-node", "agent-1"));

        Server s = compute().create(request);

        assertNotNull(s.id());
        assertEquals("agent-1", s.name());
        assertEquals(Server.Status.BUILD, s.status());
        assertEquals(request.metadata(), s.metadata());
        JsonNode body = cloud.only("POST", "/compute/v2.1/servers").json().path("server");
        assertEquals("agent-1", body.path("name").asText());
        assertEquals("1", body.path("flavorRef").asText());
        assertEquals("img-1", body.path("imageRef").asText());
        assertTrue("no network asked: no networks key", body.path("networks").isMissingNode());
        assertEquals("jenkins-key", body.path("key_name").asText());
        assertEquals("[{\"name\":\"default\"},{\"name\":\"ssh\"}]", body.path("security_groups").toString());
        assertEquals("nova", body.path("availability_zone").asText());
        assertEquals("#!/bin/sh\necho héllo\n",
                new String(Base64.getDecoder().decode(body.path("user_data").asText()), StandardCharsets.UTF_8));
        assertEquals("os", body.path("metadata").path("jenkins-cloud").asText());
        assertEquals("agent-1", body.path("metadata").path("jenkins-node").asText());
    }

    @Test
    public void createWithNetworkAndNothingOptional() throws Exception {
        compute().create(new ServerRequest("agent-2", "1", "img-1", List.of("net-1"), null, List.of(), null, null, Map.of()));

        JsonNode body = cloud.only("POST", "/compute/v2.1/servers").json().path("server");
        assertEquals("[{\"uuid\":\"net-1\"}]", body.path("networks").toString());
        for (String absent : List.of("key_name", "security_groups", "availability_zone", "user_data", "metadata")) {
            assertTrue(absent, body.path(absent).isMissingNode());
        }
    }

    @Test
    public void findReadsStatusMetadataAddressAndCreated() throws Exception {
        String id = cloud.addServer("agent-1", "ACTIVE", Map.of("jenkins-node", "agent-1"), null);

        Server s = compute().find(id).orElseThrow();

        assertEquals(id, s.id());
        assertEquals("agent-1", s.name());
        assertEquals(Server.Status.ACTIVE, s.status());
        assertEquals(Map.of("jenkins-node", "agent-1"), s.metadata());
        assertEquals("10.0.0.5", s.address());
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), s.created());
        assertNull(s.fault());
    }

    @Test
    public void findReadsTheFaultOfAServerInError() throws Exception {
        String id = cloud.addServer("agent-1", "ERROR", Map.of(), Map.of("code", 413, "message", QUOTA_MESSAGE));

        Server s = compute().find(id).orElseThrow();

        assertEquals(Server.Status.ERROR, s.status());
        assertEquals(new Server.Fault(413, QUOTA_MESSAGE), s.fault());
        assertTrue(s.fault().isQuotaExceeded());
    }

    @Test
    public void findOfAGoneServerIsEmpty() throws Exception {
        assertEquals(Optional.empty(), compute().find("gone"));
    }

    @Test
    public void listKeepsServersWithAllTheMetadataOverSeveralPages() throws Exception {
        Map<String, String> ours = Map.of("jenkins-cloud", "os", "jenkins-instance", "j1");
        Set<String> expected = new java.util.HashSet<>();
        for (int i = 0; i < Openstack4jCompute.PAGE_SIZE + 50; i++) {
            Map<String, String> md = i % 3 == 0 ? Map.of("jenkins-cloud", "os")                 // one entry only
                    : i % 3 == 1 ? Map.of("jenkins-cloud", "os", "jenkins-instance", "j1", "x", "y")
                    : Map.of();
            String id = cloud.addServer("s" + i, "ACTIVE", md, null);
            if (i % 3 == 1) {
                expected.add(id);
            }
        }

        List<Server> servers = compute().list(ours);

        assertEquals(expected, servers.stream().map(Server::id).collect(Collectors.toSet()));
        assertTrue("asked page after page", cloud.requests("GET", "/compute/v2.1/servers/detail").size() >= 2);
    }

    @Test
    public void deleteIsTrueThenFalseOnceGone() throws Exception {
        String id = cloud.addServer("agent-1", "ACTIVE", Map.of(), null);
        Compute c = compute();

        assertTrue(c.delete(id));
        assertFalse(c.delete(id));
        assertEquals(Optional.empty(), c.find(id));
    }

    @Test
    public void limitsAreNovasAbsoluteLimits() throws Exception {
        assertEquals(new Limits(3, 1, -1, 1, 4096, 512), compute().limits());
    }

    @Test
    public void flavorsImagesAndNetworks() throws Exception {
        Compute c = compute();
        assertEquals(List.of(new Flavor("2", "m1.medium", 2, 4096, 20), new Flavor("1", "m1.small", 1, 512, 1)),
                c.flavors().stream().sorted((x, y) -> y.ramMb() - x.ramMb()).collect(Collectors.toList()));
        assertEquals(List.of(new Image("img-1", "fake-image", "active", java.time.Instant.parse("2026-11-02T10:00:00Z"),
                List.of("ci", "debian"))), c.images());
        assertThat(cloud.requests("GET", "/image/v2/images").get(0).query, containsString("status=active"));
        assertEquals(List.of(new Network("net-1", "private")), c.networks());
    }

    // ------------------------------------------------------------------------------------------- Neutron

    @Test
    public void externalNetworksAreTheRouterExternalOnes() throws Exception {
        assertEquals(List.of(new Network("ext-1", "public")), compute().externalNetworks());

        Recorded r = cloud.only("GET", "/network/v2.0/networks");
        assertEquals(Map.of("router:external", "true"), StubCloud.parse(r.query));
    }

    @Test
    public void securityGroupsAreTheProjectsOnly() throws Exception {
        assertEquals(List.of(new SecurityGroup("sg-1", "default"), new SecurityGroup("sg-2", "ssh")),
                compute().securityGroups());

        Recorded r = cloud.only("GET", "/network/v2.0/security-groups");
        assertEquals(Map.of("project_id", "p-jenkins"), StubCloud.parse(r.query));
    }

    @Test
    public void portsOfAServerAreAskedByDeviceIdWithTheirIpv4Address() throws Exception {
        String server = cloud.addServer("agent-1", "ACTIVE", Map.of(), null);
        cloud.ports.add(Map.of("id", "port-1", "network_id", "net-1", "device_id", server, "status", "ACTIVE",
                "fixed_ips", List.of(Map.of("subnet_id", "sub-6", "ip_address", "fd00::7"),
                        Map.of("subnet_id", "sub-4", "ip_address", "10.0.0.7"))));
        cloud.ports.add(Map.of("id", "port-2", "network_id", "net-2", "device_id", server, "status", "DOWN",
                "fixed_ips", List.of()));
        cloud.ports.add(Map.of("id", "port-3", "network_id", "net-1", "device_id", "another", "status", "ACTIVE",
                "fixed_ips", List.of()));

        List<Port> ports = compute().ports(server);

        assertEquals(List.of(new Port("port-1", "net-1", "10.0.0.7", server, "ACTIVE"),
                new Port("port-2", "net-2", null, server, "DOWN")), ports);
        assertEquals(Map.of("device_id", server), StubCloud.parse(cloud.only("GET", "/network/v2.0/ports").query));
    }

    @Test
    public void floatingIpsAreTheProjectsWithTheDescriptionPrefix() throws Exception {
        String ours = cloud.addFloatingIp("openstack-agents c1 os agent-1", "port-1");
        String another = cloud.addFloatingIp("openstack-agents c2 os agent-1", null);
        String handMade = cloud.addFloatingIp("", null);
        Compute c = compute();

        List<FloatingIp> mine = c.floatingIps("openstack-agents c1 ");

        assertEquals(List.of(new FloatingIp(ours, "127.20.0.1", "ext-1", "port-1", "openstack-agents c1 os agent-1",
                "ACTIVE")), mine);
        assertEquals(Set.of(ours, another, handMade),
                c.floatingIps("").stream().map(FloatingIp::id).collect(Collectors.toSet()));
        for (Recorded r : cloud.requests("GET", "/network/v2.0/floatingips")) {
            assertEquals("only the token's project's, even for an admin", Map.of("project_id", "p-jenkins"),
                    StubCloud.parse(r.query));
        }
    }

    @Test
    public void allocateSendsTheNetworkAndTheDescription() throws Exception {
        FloatingIp f = compute().allocateFloatingIp("ext-1", "openstack-agents c1 os agent-1");

        JsonNode body = cloud.only("POST", "/network/v2.0/floatingips").json();
        assertEquals(JSON.readTree("{\"floatingip\": {\"floating_network_id\": \"ext-1\","
                + " \"description\": \"openstack-agents c1 os agent-1\"}}"), body);
        assertNotNull(f.id());
        assertEquals(new FloatingIp(f.id(), "127.20.0.1", "ext-1", null, "openstack-agents c1 os agent-1", "DOWN"), f);
    }

    @Test
    public void associateSendsThePortOnly() throws Exception {
        String id = cloud.addFloatingIp("openstack-agents c1 os agent-1", null);

        FloatingIp f = compute().associateFloatingIp(id, "port-1");

        assertEquals(JSON.readTree("{\"floatingip\": {\"port_id\": \"port-1\"}}"),
                cloud.only("PUT", "/network/v2.0/floatingips/" + id).json());
        assertEquals("port-1", f.portId());
        assertEquals("ACTIVE", f.status());
    }

    @Test
    public void releaseIsTrueThenFalseOnceGone() throws Exception {
        String id = cloud.addFloatingIp("openstack-agents c1 os agent-1", null);
        Compute c = compute();

        assertTrue(c.releaseFloatingIp(id));
        assertFalse(c.releaseFloatingIp(id));
        assertEquals(2, cloud.requests("DELETE", "/network/v2.0/floatingips/" + id).size());
        assertEquals(List.of(), c.floatingIps(""));
    }

    @Test
    public void neutronQuotaIsTheDetailsOfTheTokensProjectWithReservedCountedAsUsed() throws Exception {
        NeutronQuota q = compute().neutronQuota();

        assertEquals(new NeutronQuota(new NeutronQuota.Usage(2, 1 + 1), new NeutronQuota.Usage(-1, 4)), q);
        cloud.only("GET", "/network/v2.0/quotas/p-jenkins/details.json");
    }

    @Test
    public void neutronQuotaWithoutFloatingIpsIsTransient() {
        cloud.answer("GET", "/network/v2.0/quotas/p-jenkins/details.json", 200,
                "{\"quota\": {\"port\": {\"limit\": 50, \"used\": 0, \"reserved\": 0}}}");

        ComputeException e = assertThrows(ComputeException.class, () -> compute().neutronQuota());

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertEquals("Neutron answered the quota request without the limit and usage of floatingip.", e.getMessage());
    }

    @Test
    public void neutronOverQuotaIsQuotaExceededWithNeutronsSentence() {
        cloud.answer("POST", "/network/v2.0/floatingips", 409, "{\"NeutronError\": {\"type\": \"OverQuota\", "
                + "\"message\": \"Quota exceeded for resources: ['floatingip'].\", \"detail\": \"\"}}");

        ComputeException e = assertThrows(ComputeException.class,
                () -> compute().allocateFloatingIp("ext-1", "openstack-agents c1 os agent-1"));

        assertEquals(Kind.QUOTA_EXCEEDED, e.getKind());
        assertEquals("Quota exceeded for resources: ['floatingip'].", e.getMessage());
    }

    @Test
    public void otherNeutronConflictsArePermanent() {
        String id = cloud.addFloatingIp("openstack-agents c1 os agent-1", null);
        cloud.answer("PUT", "/network/v2.0/floatingips/" + id, 409, "{\"NeutronError\": {\"type\": "
                + "\"FloatingIPPortAlreadyAssociated\", \"message\": \"Cannot associate floating IP 127.20.0.1 with "
                + "port port-1: already associated\", \"detail\": \"\"}}");
        cloud.answer("POST", "/network/v2.0/floatingips", 409,
                "{\"NeutronError\": {\"message\": \"Quota exceeded, but no type\"}}");
        Compute c = compute();

        ComputeException associate = assertThrows(ComputeException.class, () -> c.associateFloatingIp(id, "port-1"));
        ComputeException untyped = assertThrows(ComputeException.class, () -> c.allocateFloatingIp("ext-1", "x"));

        assertEquals(Kind.PERMANENT, associate.getKind());
        assertEquals("Neutron answered 409 to associate floating IP " + id + " with port port-1: Cannot associate "
                + "floating IP 127.20.0.1 with port port-1: already associated.", associate.getMessage());
        assertEquals(Kind.PERMANENT, untyped.getKind());
    }

    @Test
    public void neutronNotFoundOutsideReleaseIsNotFound() {
        ComputeException e = assertThrows(ComputeException.class, () -> compute().associateFloatingIp("gone", "p"));

        assertEquals(Kind.NOT_FOUND, e.getKind());
        assertEquals("Neutron answered 404 to associate floating IP gone with port p: Floating IP gone could not be "
                + "found.", e.getMessage());
    }

    // ------------------------------------------------------------------------------------------- tokens, threads

    @Test
    public void oneTokenServesManyThreads() throws Exception {
        Compute c = compute();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Limits>> answers = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                answers.add(pool.submit(c::limits));
            }
            for (Future<Limits> f : answers) {
                assertEquals(3, f.get(30, TimeUnit.SECONDS).maxInstances());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, cloud.tokensIssued.get());
        assertEquals(40, cloud.requests("GET", "/compute/v2.1/limits").size());
    }

    @Test
    public void revokedTokenIsRenewedOnceAndTheCallRepeated() throws Exception {
        Compute c = compute();
        c.limits();
        cloud.revokeTokens();

        assertEquals(3, c.limits().maxInstances());

        assertEquals(2, cloud.tokensIssued.get());
        assertEquals(3, cloud.requests("GET", "/compute/v2.1/limits").size());
    }

    @Test
    public void serviceThatKeepsRefusingTheTokenIsPermanent() throws Exception {
        Compute c = compute();
        c.limits();
        cloud.answer("GET", "/compute/v2.1/limits", 401, "{\"error\":{\"code\":401,\"message\":\"Unauthorized\"}}");
        cloud.answer("GET", "/compute/v2.1/limits", 401, "{\"error\":{\"code\":401,\"message\":\"Unauthorized\"}}");

        ComputeException e = assertThrows(ComputeException.class, c::limits);

        assertEquals(Kind.PERMANENT, e.getKind());
        assertEquals("Nova answered 401 to read the project's limits: Unauthorized.", e.getMessage());
        assertEquals(2, cloud.tokensIssued.get());
    }

    @Test
    public void tokenNearExpiryIsRenewed() throws Exception {
        cloud.tokenLifetime = Duration.ofSeconds(2);
        Compute c = compute();
        c.limits();
        c.limits();
        assertEquals("still fresh in the first half of its life", 1, cloud.tokensIssued.get());

        Thread.sleep(1100);
        c.limits();

        assertEquals(2, cloud.tokensIssued.get());
    }

    // ------------------------------------------------------------------------------------------- errors

    @Test
    public void wrongPasswordIsPermanentAndSaysWhatToCheck() {
        ComputeException e = assertThrows(ComputeException.class,
                () -> compute(settings(new Password("jenkins", "wrong-pass", "jenkins", "Default"))).limits());

        assertEquals(Kind.PERMANENT, e.getKind());
        assertEquals("Keystone at " + cloud.authUrl() + " rejected the credentials (401): the user name or "
                + "password of user 'jenkins' (domain 'Default'); check them and the domain.", e.getMessage());
        assertThat(e.getMessage(), not(containsString("wrong-pass")));
    }

    @Test
    public void wrongProjectIsToldApartFromAWrongPassword() {
        ComputeException e = assertThrows(ComputeException.class,
                () -> compute(settings(new Password("jenkins", "secret", "no-such-project", "Default"))).limits());

        assertEquals(Kind.PERMANENT, e.getKind());
        assertEquals("Keystone at " + cloud.authUrl() + " accepted the password of user 'jenkins' but not for "
                + "project 'no-such-project' (domain 'Default'): the project does not exist there, or the user has "
                + "no role on it.", e.getMessage());
    }

    @Test
    public void unknownApplicationCredentialIsPermanent() {
        ComputeException e = assertThrows(ComputeException.class,
                () -> compute(settings(new ApplicationCredential("nope", "x"))).limits());

        assertEquals(Kind.PERMANENT, e.getKind());
        assertEquals("Keystone at " + cloud.authUrl() + " refused a token (404): Could not find Application "
                + "Credential: nope.", e.getMessage());
    }

    @Test
    public void wrongApplicationCredentialSecretIsPermanent() {
        ComputeException e = assertThrows(ComputeException.class,
                () -> compute(settings(new ApplicationCredential("ac-id", "wrong"))).limits());

        assertEquals(Kind.PERMANENT, e.getKind());
        assertThat(e.getMessage(), containsString("rejected the credentials (401): the application credential ac-id"));
        assertThat(e.getMessage(), not(containsString("wrong")));
    }

    @Test
    public void regionMissingFromTheCatalogIsPermanentAndNamesTheRegions() {
        ConnectionSettings s = new ConnectionSettings(cloud.authUrl(), "RegionTwo",
                new Password("jenkins", "secret", "jenkins", "Default"), true, null, null);

        ComputeException e = assertThrows(ComputeException.class, () -> compute(s).limits());

        assertEquals(Kind.PERMANENT, e.getKind());
        assertEquals("The service catalog of " + cloud.authUrl() + " has no public compute (Nova) endpoint in region "
                + "'RegionTwo'; its regions are: RegionOne.", e.getMessage());
    }

    @Test
    public void regionInTheCatalogIsUsed() throws Exception {
        ConnectionSettings s = new ConnectionSettings(cloud.authUrl(), "RegionOne",
                new Password("jenkins", "secret", "jenkins", "Default"), true, null, null);
        assertEquals(3, compute(s).limits().maxInstances());
    }

    @Test
    public void authUrlOfAnotherServiceIsPermanent() {
        // what the real Nova answers to POST /v3/auth/tokens: its version list
        cloud.answer("POST", "/compute/v3/auth/tokens", 300, "{\"choices\": [{\"id\": \"v2.1\"}]}");

        ComputeException e = assertThrows(ComputeException.class,
                () -> compute(settings(cloud.base + "/compute/")).limits());

        assertEquals(Kind.PERMANENT, e.getKind());
        assertEquals("The token request to " + cloud.base + "/compute/v3 got the answer 300 Multiple Choices; is "
                + "this the Keystone v3 URL?", e.getMessage());
    }

    @Test
    public void tokenAnswerWithoutATokenIsPermanent() {
        cloud.answer("POST", "/identity/v3/auth/tokens", 201, "{\"choices\": [{\"id\": \"v2.1\"}]}");

        ComputeException e = assertThrows(ComputeException.class, () -> compute().limits());

        assertEquals(Kind.PERMANENT, e.getKind());
        assertThat(e.getMessage(), containsString("The token request to " + cloud.authUrl()
                + " got an answer that is not a token (Root name ('choices') does not match expected ('token')"));
        assertThat(e.getMessage(), not(containsString("v2.1")));
    }

    @Test
    public void unreadableAnswerIsTransient() {
        cloud.answer("GET", "/compute/v2.1/limits", 200, "<html>Welcome</html>");

        ComputeException e = assertThrows(ComputeException.class, () -> compute().limits());

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertThat(e.getMessage(), containsString("The answer of " + cloud.base + "/compute/v2.1 could not be read: "));
        assertThat(e.getMessage(), not(containsString("Welcome")));
    }

    @Test
    public void refusedConnectionIsTransient() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port + "/v3";
        ComputeException e = assertThrows(ComputeException.class, () -> compute(settings(url)).limits());

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertEquals("Cannot reach " + url + ": connection refused.", e.getMessage());
    }

    @Test
    public void unknownHostIsTransient() {
        String url = "http://no-such-host.invalid:5000/v3";
        ComputeException e = assertThrows(ComputeException.class, () -> compute(settings(url)).limits());

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertThat(e.getMessage(), containsString("Cannot reach " + url + ": unknown host no-such-host.invalid"));
    }

    @Test
    public void slowAnswerIsTransient() throws Exception {
        ConnectionSettings s = new ConnectionSettings(cloud.authUrl(), null,
                new Password("jenkins", "secret", "jenkins", "Default"), true, Duration.ofSeconds(2),
                Duration.ofMillis(300));
        Compute c = compute(s);
        c.limits();
        cloud.answer("GET", "/compute/v2.1/limits", new Answer(200, "{}", Map.of(), 1500));

        ComputeException e = assertThrows(ComputeException.class, c::limits);

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertEquals("Cannot reach " + cloud.base + "/compute/v2.1: no answer within the read timeout.",
                e.getMessage());
    }

    @Test
    public void quotaExceededAtCreateKeepsNovasMessage() {
        cloud.answer("POST", "/compute/v2.1/servers", 403,
                "{\"forbidden\": {\"code\": 403, \"message\": \"" + QUOTA_MESSAGE + "\"}}");

        ComputeException e = assertThrows(ComputeException.class, () -> compute().create(request("agent-4")));

        assertEquals(Kind.QUOTA_EXCEEDED, e.getKind());
        assertEquals(QUOTA_MESSAGE, e.getMessage());
    }

    @Test
    public void novasRefusalForNeutronsPortQuotaIsAQuotaRefusal() {
        // Nova's PortLimitExceeded: it checks Neutron's port quota before it accepts a server
        cloud.answer("POST", "/compute/v2.1/servers", 403,
                "{\"forbidden\": {\"code\": 403, \"message\": \"Maximum number of ports exceeded\"}}");

        ComputeException e = assertThrows(ComputeException.class, () -> compute().create(request("agent-4")));

        assertEquals(Kind.QUOTA_EXCEEDED, e.getKind());
        assertEquals("Maximum number of ports exceeded", e.getMessage());
    }

    @Test
    public void quotaExceededAs413IsQuotaToo() {
        cloud.answer("POST", "/compute/v2.1/servers", new Answer(413,
                "{\"overLimit\": {\"code\": 413, \"message\": \"Quota exceeded for cores: Requested 2, but already "
                        + "used 6 of 6 cores\"}}", Map.of("Retry-After", "0"), 0));

        ComputeException e = assertThrows(ComputeException.class, () -> compute().create(request("agent-4")));

        assertEquals(Kind.QUOTA_EXCEEDED, e.getKind());
        assertEquals("Quota exceeded for cores: Requested 2, but already used 6 of 6 cores", e.getMessage());
    }

    @Test
    public void forbiddenWithoutQuotaIsPermanent() {
        cloud.answer("POST", "/compute/v2.1/servers", 403,
                "{\"forbidden\": {\"code\": 403, \"message\": \"Policy doesn't allow os_compute_api:servers:create "
                        + "to be performed.\"}}");

        ComputeException e = assertThrows(ComputeException.class, () -> compute().create(request("agent-4")));

        assertEquals(Kind.PERMANENT, e.getKind());
        assertEquals("Nova answered 403 to create server agent-4: Policy doesn't allow "
                + "os_compute_api:servers:create to be performed.", e.getMessage());
    }

    @Test
    public void tooManyRequestsIsRateLimitedWithRetryAfter() {
        cloud.answer("POST", "/compute/v2.1/servers", new Answer(429,
                "{\"overLimit\": {\"code\": 429, \"message\": \"This request was rate-limited.\"}}",
                Map.of("Retry-After", "7"), 0));

        ComputeException e = assertThrows(ComputeException.class, () -> compute().create(request("agent-1")));

        assertEquals(Kind.RATE_LIMITED, e.getKind());
        assertEquals(Optional.of(Duration.ofSeconds(7)), e.getRetryAfter());
        assertEquals("Nova answered 429 to create server agent-1: This request was rate-limited.", e.getMessage());
    }

    @Test
    public void serverErrorIsTransient() {
        cloud.answer("POST", "/compute/v2.1/servers", 500,
                "{\"computeFault\": {\"code\": 500, \"message\": \"Unexpected API Error.\"}}");

        ComputeException e = assertThrows(ComputeException.class, () -> compute().create(request("agent-1")));

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertEquals("Nova answered 500 to create server agent-1: Unexpected API Error.", e.getMessage());
    }

    @Test
    public void proxyErrorPageIsTransient() throws Exception {
        Compute c = compute();
        c.limits();
        cloud.answer("GET", "/compute/v2.1/servers/detail",
                new Answer(503, "<html><body>Service Unavailable</body></html>", Map.of("Content-Type", "text/html",
                        "Retry-After", "Wed, 21 Oct 2099 07:28:00 GMT"), 0));

        ComputeException e = assertThrows(ComputeException.class, () -> c.list(Map.of()));

        assertEquals(Kind.TRANSIENT, e.getKind());
        assertEquals("Nova answered 503 to list servers: Service Unavailable.", e.getMessage());
        assertTrue(e.getRetryAfter().orElseThrow().toDays() > 1000);
    }

    @Test
    public void badRequestIsABadRequestWhoseReasonNamesNoServer() {
        cloud.answer("POST", "/compute/v2.1/servers", 400,
                "{\"badRequest\": {\"code\": 400, \"message\": \"Invalid flavorRef provided.\"}}");

        ComputeException e = assertThrows(ComputeException.class, () -> compute().create(request("agent-1")));

        assertEquals(Kind.BAD_REQUEST, e.getKind());
        assertEquals("Nova answered 400 to create server agent-1: Invalid flavorRef provided.", e.getMessage());
        assertEquals("Nova answered 400: Invalid flavorRef provided.", e.getReason());
    }

    @Test
    public void notFoundOutsideFindAndDeleteIsNotFound() {
        cloud.answer("GET", "/compute/v2.1/limits", 404,
                "{\"itemNotFound\": {\"code\": 404, \"message\": \"The resource could not be found.\"}}");

        ComputeException e = assertThrows(ComputeException.class, () -> compute().limits());

        assertEquals(Kind.NOT_FOUND, e.getKind());
    }

    @Test
    public void glanceAndNeutronErrorsAreTranslatedToo() {
        cloud.answer("GET", "/image/v2/images", 500, "{\"error\": {\"message\": \"boom\"}}");
        cloud.answer("GET", "/network/v2.0/networks", 403,
                "{\"NeutronError\": {\"type\": \"Forbidden\", \"message\": \"no way\", \"detail\": \"\"}}");
        Compute c = compute();

        ComputeException images = assertThrows(ComputeException.class, c::images);
        ComputeException networks = assertThrows(ComputeException.class, c::networks);

        assertEquals(Kind.TRANSIENT, images.getKind());
        assertEquals("Glance answered 500 to list images: boom.", images.getMessage());
        assertEquals(Kind.PERMANENT, networks.getKind());
        assertEquals("Neutron answered 403 to list networks: no way.", networks.getMessage());
    }

    @Test
    public void untrustedCertificateIsPermanentAndNamesTheOption() throws Exception {
        try (StubCloud tls = StubCloud.https(selfSignedContext())) {
            ComputeException e = assertThrows(ComputeException.class,
                    () -> compute(settings(tls.authUrl())).limits());

            assertEquals(Kind.PERMANENT, e.getKind());
            assertThat(e.getMessage(), containsString("The TLS connection to " + tls.authUrl() + " failed"));
            assertThat(e.getMessage(), containsString("certificate"));
            assertThat(e.getMessage(), containsString("\"Verify TLS certificates\""));
        }
    }

    @Test
    public void certificateIsNotCheckedWhenVerificationIsOff() throws Exception {
        try (StubCloud tls = StubCloud.https(selfSignedContext())) {
            ConnectionSettings s = new ConnectionSettings(tls.authUrl(), null,
                    new Password("jenkins", "secret", "jenkins", "Default"), false, null, null);
            assertEquals(3, compute(s).limits().maxInstances());
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    private Compute compute() {
        return compute(settings(cloud.authUrl()));
    }

    private static Compute compute(ConnectionSettings settings) {
        return new Openstack4jComputeFactory().connect(settings);
    }

    private ConnectionSettings settings(ConnectionSettings.Credentials credentials) {
        return new ConnectionSettings(cloud.authUrl(), null, credentials, true, null, null);
    }

    private static ConnectionSettings settings(String authUrl) {
        return new ConnectionSettings(authUrl, null, new Password("jenkins", "secret", "jenkins", "Default"), true,
                Duration.ofSeconds(2), Duration.ofSeconds(5));
    }

    private static ServerRequest request(String name) {
        return new ServerRequest(name, "1", "img-1", List.of(), null, List.of(), null, null, Map.of());
    }

    /** A key pair for 127.0.0.1 made by the JDK's keytool; no trust store knows it. */
    private SSLContext selfSignedContext() throws Exception {
        File ks = new File(tmp.getRoot(), "stub.p12");
        String keytool = System.getProperty("java.home") + File.separator + "bin" + File.separator + "keytool";
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-keystore", ks.getPath(), "-storetype", "PKCS12",
                "-storepass", "changeit", "-keypass", "changeit", "-alias", "stub", "-keyalg", "RSA",
                "-keysize", "2048", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1", "-validity", "2")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(out, 0, p.waitFor());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    // ------------------------------------------------------------------------------------------- the stub

    /** A canned answer, optionally late. */
    record Answer(int status, String body, Map<String, String> headers, long delayMillis) {
    }

    /** One request the stub received. */
    static final class Recorded {
        final String method;
        final String path;
        final String query;
        final Map<String, String> headers;
        final String body;

        Recorded(String method, String path, String query, Map<String, String> headers, String body) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.headers = headers;
            this.body = body;
        }

        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }

        JsonNode json() throws IOException {
            return JSON.readTree(body);
        }
    }

    /**
     * Keystone v3 (at /identity/v3), Nova 2.1 (/compute/v2.1), Glance (/image) and Neutron (/network) on
     * 127.0.0.1, one region "RegionOne", user jenkins/secret in project jenkins (p-jenkins) of domain Default,
     * application credential ac-id/ac-secret, quota of 3 instances and 2 floating IPs (1 used, 1 reserved), external
     * network ext-1. Service requests need a token it issued.
     */
    static final class StubCloud implements AutoCloseable {
        final HttpServer server;
        final String base;
        final AtomicInteger tokensIssued = new AtomicInteger();
        final Set<String> validTokens = ConcurrentHashMap.newKeySet();
        final List<Recorded> recorded = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Deque<Answer>> canned = new ConcurrentHashMap<>();
        final Map<String, Map<String, Object>> servers = Collections.synchronizedMap(new LinkedHashMap<>());
        final List<Map<String, Object>> ports = Collections.synchronizedList(new ArrayList<>());
        final Map<String, Map<String, Object>> floatingIps = Collections.synchronizedMap(new LinkedHashMap<>());
        volatile Duration tokenLifetime = Duration.ofHours(1);
        volatile String lastToken;

        private StubCloud(HttpServer server) {
            this.server = server;
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/", this::handle);
            server.start();
            String scheme = server instanceof HttpsServer ? "https" : "http";
            this.base = scheme + "://127.0.0.1:" + server.getAddress().getPort();
        }

        static StubCloud http() throws IOException {
            return new StubCloud(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
        }

        static StubCloud https(SSLContext ctx) throws IOException {
            HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            s.setHttpsConfigurator(new HttpsConfigurator(ctx));
            return new StubCloud(s);
        }

        String authUrl() {
            return base + "/identity/v3";
        }

        String lastToken() {
            return lastToken;
        }

        void revokeTokens() {
            validTokens.clear();
        }

        void answer(String method, String path, int status, String body) {
            answer(method, path, new Answer(status, body, Map.of(), 0));
        }

        void answer(String method, String path, Answer a) {
            canned.computeIfAbsent(method + " " + path, k -> new ArrayDeque<>()).add(a);
        }

        List<Recorded> requests(String method, String path) {
            synchronized (recorded) {
                return recorded.stream().filter(r -> r.method.equals(method) && r.path.equals(path))
                        .collect(Collectors.toList());
            }
        }

        Recorded only(String method, String path) {
            List<Recorded> r = requests(method, path);
            assertEquals(method + " " + path, 1, r.size());
            return r.get(0);
        }

        String addServer(String name, String status, Map<String, String> metadata, Map<String, Object> fault) {
            String id = UUID.randomUUID().toString();
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("id", id);
            s.put("name", name);
            s.put("status", status);
            s.put("metadata", metadata);
            s.put("created", "2026-01-02T03:04:05Z");
            s.put("addresses", Map.of("private", List.of(
                    Map.of("addr", "fd00::5", "version", 6), Map.of("addr", "10.0.0.5", "version", 4))));
            if (fault != null) {
                s.put("fault", fault);
            }
            servers.put(id, s);
            return id;
        }

        /** A floating IP of project p-jenkins on ext-1 (associated when {@code portId} is not null). */
        String addFloatingIp(String description, String portId) {
            String id = UUID.randomUUID().toString();
            Map<String, Object> f = new HashMap<>();
            f.put("id", id);
            f.put("floating_ip_address", "127.20.0." + (floatingIps.size() + 1));
            f.put("floating_network_id", "ext-1");
            f.put("project_id", "p-jenkins");
            f.put("port_id", portId);
            f.put("description", description);
            f.put("status", portId == null ? "DOWN" : "ACTIVE");
            floatingIps.put(id, f);
            return id;
        }

        @Override
        public void close() {
            server.stop(0);
            ((ExecutorService) server.getExecutor()).shutdownNow();
        }

        private void handle(HttpExchange x) throws IOException {
            try (x) {
                String method = x.getRequestMethod();
                String path = x.getRequestURI().getPath();
                String query = x.getRequestURI().getRawQuery() == null ? "" : x.getRequestURI().getRawQuery();
                Map<String, String> headers = new HashMap<>();
                x.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
                String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                recorded.add(new Recorded(method, path, query, headers, body));

                Deque<Answer> queue = canned.get(method + " " + path);
                Answer a = queue == null ? null : queue.poll();
                if (a == null) {
                    a = route(method, path, query, headers, body);
                }
                if (a.delayMillis() > 0) {
                    Thread.sleep(a.delayMillis());
                }
                a.headers().forEach((k, v) -> x.getResponseHeaders().add(k, v));
                if (!a.headers().containsKey("Content-Type")) {
                    x.getResponseHeaders().add("Content-Type", "application/json");
                }
                byte[] out = a.body().getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(a.status(), out.length == 0 ? -1 : out.length);
                if (out.length > 0) {
                    x.getResponseBody().write(out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException | RuntimeException e) {
                // the client went away (read timeout): nothing to answer
            }
        }

        private Answer route(String method, String path, String query, Map<String, String> headers, String body)
                throws IOException {
            if (method.equals("POST") && path.equals("/identity/v3/auth/tokens")) {
                return issueToken(JSON.readTree(body).path("auth"));
            }
            if (!validTokens.contains(String.valueOf(headers.get("x-auth-token")))) {
                return error(401, "error", "The request you have made requires authentication.");
            }
            Map<String, String> q = parse(query);
            String nova = "/compute/v2.1";
            if (method.equals("POST") && path.equals(nova + "/servers")) {
                JsonNode s = JSON.readTree(body).path("server");
                String id = addServer(s.path("name").asText(), "BUILD", Map.of(), null);
                return ok(202, Map.of("server", Map.of("id", id, "links", List.of(), "adminPass", "pw",
                        "OS-DCF:diskConfig", "MANUAL", "security_groups", List.of(Map.of("name", "default")))));
            }
            if (method.equals("GET") && path.equals(nova + "/servers/detail")) {
                return ok(200, Map.of("servers", page(new ArrayList<>(servers.values()), q)));
            }
            if (path.startsWith(nova + "/servers/")) {
                String id = path.substring((nova + "/servers/").length());
                Map<String, Object> s = servers.get(id);
                if (s == null) {
                    return error(404, "itemNotFound", "Instance " + id + " could not be found.");
                }
                if (method.equals("DELETE")) {
                    servers.remove(id);
                    return new Answer(204, "", Map.of(), 0);
                }
                return ok(200, Map.of("server", s));
            }
            if (method.equals("GET") && path.equals(nova + "/limits")) {
                return ok(200, Map.of("limits", Map.of("rate", List.of(), "absolute", Map.of(
                        "maxTotalInstances", 3, "totalInstancesUsed", 1, "maxTotalCores", -1, "totalCoresUsed", 1,
                        "maxTotalRAMSize", 4096, "totalRAMUsed", 512))));
            }
            if (method.equals("GET") && path.equals(nova + "/flavors/detail")) {
                return ok(200, Map.of("flavors", List.of(
                        Map.of("id", "1", "name", "m1.small", "vcpus", 1, "ram", 512, "disk", 1),
                        Map.of("id", "2", "name", "m1.medium", "vcpus", 2, "ram", 4096, "disk", 20))));
            }
            if (method.equals("GET") && path.equals("/image/v2/images")) {
                List<Map<String, Object>> images =
                        List.of(Map.of("id", "img-1", "name", "fake-image", "status", "active",
                                "created_at", "2026-11-02T10:00:00Z", "tags", List.of("ci", "debian")));
                return ok(200, Map.of("images", page(images, q)));
            }
            String neutron = "/network/v2.0";
            if (method.equals("GET") && path.equals(neutron + "/networks")) {
                return ok(200, Map.of("networks", "true".equals(q.get("router:external"))
                        ? List.of(Map.of("id", "ext-1", "name", "public", "router:external", true))
                        : List.of(Map.of("id", "net-1", "name", "private"))));
            }
            if (method.equals("GET") && path.equals(neutron + "/security-groups")) {
                return ok(200, Map.of("security_groups", List.of(Map.of("id", "sg-2", "name", "ssh"),
                        Map.of("id", "sg-1", "name", "default"))));
            }
            if (method.equals("GET") && path.equals(neutron + "/ports")) {
                synchronized (ports) {
                    return ok(200, Map.of("ports", ports.stream()
                            .filter(p -> p.get("device_id").equals(q.get("device_id"))).collect(Collectors.toList())));
                }
            }
            if (method.equals("GET") && path.equals(neutron + "/quotas/p-jenkins/details.json")) {
                return ok(200, Map.of("quota", Map.of(
                        "floatingip", Map.of("limit", 2, "used", 1, "reserved", 1),
                        "port", Map.of("limit", -1, "used", 4, "reserved", 0),
                        "network", Map.of("limit", 100, "used", 1, "reserved", 0))));
            }
            if (path.startsWith(neutron + "/floatingips")) {
                return floatingIp(method, path.substring((neutron + "/floatingips").length()), q, body);
            }
            return error(404, "itemNotFound", "The resource could not be found.");
        }

        /** Neutron's floating IPs: {@code rest} is "" or "/{id}". */
        private Answer floatingIp(String method, String rest, Map<String, String> q, String body) throws IOException {
            if (rest.isEmpty() && method.equals("GET")) {
                synchronized (floatingIps) {
                    return ok(200, Map.of("floatingips", floatingIps.values().stream()
                            .filter(f -> !q.containsKey("project_id") || f.get("project_id").equals(q.get("project_id")))
                            .collect(Collectors.toList())));
                }
            }
            if (rest.isEmpty() && method.equals("POST")) {
                JsonNode f = JSON.readTree(body).path("floatingip");
                String id = addFloatingIp(f.path("description").asText(), null);
                return ok(201, Map.of("floatingip", floatingIps.get(id)));
            }
            String id = rest.substring(1);
            Map<String, Object> f = floatingIps.get(id);
            if (f == null) {
                return neutronError(404, "FloatingIPNotFound", "Floating IP " + id + " could not be found.");
            }
            if (method.equals("DELETE")) {
                floatingIps.remove(id);
                return new Answer(204, "", Map.of(), 0);
            }
            if (method.equals("PUT")) {
                JsonNode update = JSON.readTree(body).path("floatingip");
                String port = update.path("port_id").isTextual() ? update.path("port_id").asText() : null;
                f.put("port_id", port);
                f.put("status", port == null ? "DOWN" : "ACTIVE");
            }
            return ok(200, Map.of("floatingip", f));
        }

        private static Answer neutronError(int status, String type, String message) throws IOException {
            return new Answer(status, JSON.writeValueAsString(Map.of("NeutronError",
                    Map.of("type", type, "message", message, "detail", ""))), Map.of(), 0);
        }

        private Answer issueToken(JsonNode auth) throws IOException {
            JsonNode identity = auth.path("identity");
            String method = identity.path("methods").path(0).asText();
            if (method.equals("password")) {
                JsonNode user = identity.path("password").path("user");
                JsonNode project = auth.path("scope").path("project");
                if (!user.path("name").asText().equals("jenkins") || !user.path("password").asText().equals("secret")
                        || !user.path("domain").path("name").asText().equals("Default")) {
                    return error(401, "error", "The request you have made requires authentication.");
                }
                if (project.isMissingNode()) { // unscoped: no catalog
                    String token = "tok-unscoped-" + tokensIssued.incrementAndGet();
                    return new Answer(201, JSON.writeValueAsString(Map.of("token", Map.of("methods", List.of(method),
                            "user", Map.of("id", "u-jenkins", "name", "jenkins")))), Map.of("X-Subject-Token", token), 0);
                }
                if (!project.path("name").asText().equals("jenkins")
                        || !project.path("domain").path("name").asText().equals("Default")) {
                    return error(401, "error", "The request you have made requires authentication.");
                }
            } else if (method.equals("application_credential")) {
                JsonNode ac = identity.path("application_credential");
                if (!ac.path("id").asText().equals("ac-id")) {
                    return error(404, "error",
                            "Could not find Application Credential: " + ac.path("id").asText() + ".");
                }
                if (!ac.path("secret").asText().equals("ac-secret")) {
                    return error(401, "error", "The request you have made requires authentication.");
                }
            } else {
                return error(400, "error", "Unsupported method");
            }
            String token = "tok-" + tokensIssued.incrementAndGet();
            validTokens.add(token);
            lastToken = token;
            Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            Map<String, Object> body = Map.of("token", Map.of(
                    "methods", List.of(method),
                    "issued_at", now.toString(),
                    "expires_at", now.plus(tokenLifetime).toString(),
                    "project", Map.of("id", "p-jenkins", "name", "jenkins",
                            "domain", Map.of("id", "default", "name", "Default")),
                    "user", Map.of("id", "u-jenkins", "name", "jenkins"),
                    "catalog", List.of(
                            service("identity", "keystone", base + "/identity/v3"),
                            service("compute", "nova", base + "/compute/v2.1"),
                            service("image", "glance", base + "/image"),
                            service("network", "neutron", base + "/network"))));
            return new Answer(201, JSON.writeValueAsString(body), Map.of("X-Subject-Token", token), 0);
        }

        private static Map<String, Object> service(String type, String name, String url) {
            return Map.of("type", type, "name", name, "id", name + "-id", "endpoints", List.of(
                    Map.of("id", name + "-pub", "interface", "public", "region", "RegionOne",
                            "region_id", "RegionOne", "url", url),
                    Map.of("id", name + "-int", "interface", "internal", "region", "RegionOne",
                            "region_id", "RegionOne", "url", url.replace("127.0.0.1", "internal.invalid"))));
        }

        /** Nova and Glance paging: {@code limit} items after the one whose id is {@code marker}. */
        private static List<Map<String, Object>> page(List<Map<String, Object>> all, Map<String, String> q) {
            int from = 0;
            if (q.containsKey("marker")) {
                for (int i = 0; i < all.size(); i++) {
                    if (all.get(i).get("id").equals(q.get("marker"))) {
                        from = i + 1;
                    }
                }
            }
            int limit = q.containsKey("limit") ? Integer.parseInt(q.get("limit")) : 1000;
            return all.subList(Math.min(from, all.size()), Math.min(from + limit, all.size()));
        }

        static Map<String, String> parse(String query) {
            Map<String, String> q = new HashMap<>();
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            return q;
        }

        private static Answer ok(int status, Object body) throws IOException {
            return new Answer(status, JSON.writeValueAsString(body), Map.of(), 0);
        }

        private static Answer error(int status, String key, String message) throws IOException {
            return new Answer(status, JSON.writeValueAsString(Map.of(key, Map.of("code", status, "message", message))),
                    Map.of(), 0);
        }
    }
}
