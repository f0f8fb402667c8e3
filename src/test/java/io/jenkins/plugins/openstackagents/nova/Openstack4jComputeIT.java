package io.jenkins.plugins.openstackagents.nova;

import static org.hamcrest.CoreMatchers.containsString;
import static org.hamcrest.MatcherAssert.assertThat;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import io.jenkins.plugins.openstackagents.LocalOpenStack;
import io.jenkins.plugins.openstackagents.nova.ComputeException.Kind;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings.ApplicationCredential;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings.Password;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * {@link Openstack4jCompute} against the real OpenStack on loopback that {@code openstack-lite.sh} runs
 * ({@link LocalOpenStack}: user jenkins in project jenkins, quota of 3 instances, flavors m1.small and m1.medium,
 * image fake-image, no network). Runs in {@code mvn verify}, which starts that OpenStack first; fails when it is
 * not there. It prints what the cloud answered and how long it took.
 */
public class Openstack4jComputeIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    private final LocalOpenStack os = LocalOpenStack.get();
    private final String authUrl = os.authUrl();
    private final Password jenkins = os.jenkinsCredentials();
    private final String run = "it-" + UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, String> ours = Map.of("jenkins-it-run", run);
    private Compute compute;

    @Before
    public void connect() throws Exception {
        compute = new Openstack4jComputeFactory().connect(settings(authUrl, os.region(), jenkins));
        assertEquals("the project must start empty", 0, compute.limits().usedInstances());
    }

    @After
    public void deleteOurs() throws Exception {
        for (Server s : compute.list(ours)) {
            compute.delete(s.id());
        }
        waitUntilGone(compute.list(ours).stream().map(Server::id).toList());
    }

    @Test
    public void readsLimitsFlavorsImagesNetworks() throws Exception {
        Limits limits = compute.limits();
        say("limits: " + limits);
        assertEquals(3, limits.maxInstances());
        assertEquals(6, limits.maxCores());
        assertEquals(4096, limits.maxRamMb());
        say("flavors: " + compute.flavors());
        assertTrue(compute.flavors().contains(new Flavor(os.flavorSmall(), "m1.small", 1, 512, 1)));
        assertTrue(compute.flavors().contains(new Flavor(os.flavorMedium(), "m1.medium", 2, 1024, 1)));
        say("images: " + compute.images());
        assertTrue(compute.images().stream().anyMatch(i -> i.id().equals(os.imageId())
                && i.name().equals(os.imageName())));
        say("networks: " + compute.networks());
    }

    @Test
    public void bootsUpToQuotaThenQuotaExceededThenDeletes() throws Exception {
        String image = fakeImage();
        List<String> ids = new ArrayList<>();
        List<Long> posted = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            long t0 = System.nanoTime();
            Server s = compute.create(request(run + "-" + i, image));
            say("POST /servers #" + i + " -> " + s.status() + " " + s.id() + " in " + ms(t0) + " ms");
            assertEquals(Server.Status.BUILD, s.status());
            assertEquals(ours, s.metadata());
            ids.add(s.id());
            posted.add(t0);
        }
        for (int i = 0; i < ids.size(); i++) {
            Server s = waitWhileBuilding(ids.get(i));
            say(s.id() + " " + s.status() + " " + ms(posted.get(i)) + " ms after its POST; created " + s.created()
                    + ", address " + s.address() + ", fault " + s.fault());
            assertEquals(Server.Status.ACTIVE, s.status());
        }
        assertEquals(3, compute.list(ours).size());
        say("limits with 3 ACTIVE: " + compute.limits());

        long t0 = System.nanoTime();
        ComputeException e = assertThrows(ComputeException.class, () -> compute.create(request(run + "-4", image)));
        say("POST /servers #4 -> " + e.getKind() + " in " + ms(t0) + " ms: " + e.getMessage());
        assertEquals(Kind.QUOTA_EXCEEDED, e.getKind());
        assertEquals("Quota exceeded for instances: Requested 1, but already used 3 of 3 instances", e.getMessage());

        long d0 = System.nanoTime();
        for (String id : ids) {
            long t = System.nanoTime();
            assertTrue(compute.delete(id));
            say("DELETE " + id + " -> accepted in " + ms(t) + " ms");
        }
        for (String id : ids) {
            waitUntilGone(List.of(id));
            say(id + " 404 " + ms(d0) + " ms after the first DELETE");
        }
        assertFalse("already gone", compute.delete(ids.get(0)));
        assertEquals(Optional.empty(), compute.find(ids.get(0)));
    }

    @Test
    public void burstOfCreatesOverQuota() throws Exception {
        String image = fakeImage();
        int n = 6;
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<String>> results = new ArrayList<>();
        try {
            for (int i = 1; i <= n; i++) {
                String name = run + "-b" + i;
                Callable<String> create = () -> {
                    go.await();
                    long t0 = System.nanoTime();
                    try {
                        Server s = compute.create(request(name, image));
                        return name + " -> 202 " + s.id() + " in " + ms(t0) + " ms";
                    } catch (ComputeException e) {
                        return name + " -> " + e.getKind() + " in " + ms(t0) + " ms: " + e.getMessage();
                    }
                };
                results.add(pool.submit(create));
            }
            long b0 = System.nanoTime();
            go.countDown();
            for (Future<String> f : results) {
                say("burst: " + f.get(60, TimeUnit.SECONDS));
            }
            say("burst of " + n + " took " + ms(b0) + " ms");
        } finally {
            pool.shutdownNow();
        }
        long t0 = System.nanoTime();
        List<Server> accepted = compute.list(ours);
        for (Server s : accepted) {
            Server end = waitWhileBuilding(s.id());
            say("burst server " + end.name() + " " + end.status() + " (seen " + ms(t0) + " ms after the burst)"
                    + (end.fault() == null ? ""
                    : " fault " + end.fault().code() + " \"" + end.fault().message() + "\" quota="
                    + end.fault().isQuotaExceeded()));
        }
        say("limits after the burst: " + compute.limits());
    }

    @Test
    public void authenticationAndConfigurationFailures() throws Exception {
        expect(Kind.PERMANENT, "wrong password",
                settings(authUrl, null, new Password(os.username(), "wrong", os.project(), os.domain())));
        expect(Kind.PERMANENT, "wrong project",
                settings(authUrl, null, new Password(os.username(), os.password(), "no-such-project", os.domain())));
        expect(Kind.PERMANENT, "project of another user",
                settings(authUrl, null, new Password(os.username(), os.password(), os.adminProject(), os.domain())));
        expect(Kind.PERMANENT, "wrong domain",
                settings(authUrl, null, new Password(os.username(), os.password(), os.project(), "NoSuchDomain")));
        expect(Kind.PERMANENT, "wrong region", settings(authUrl, "RegionTwo", jenkins));
        expect(Kind.TRANSIENT, "unreachable", settings("http://127.0.0.1:5999/v3", null, jenkins));
        expect(Kind.PERMANENT, "https to a plain-http port",
                settings(authUrl.replaceFirst("^http:", "https:"), null, jenkins));
        expect(Kind.PERMANENT, "unknown application credential",
                settings(authUrl, null, new ApplicationCredential("00000000000000000000000000000000", "x")));
        expect(Kind.PERMANENT, "auth URL without Keystone",
                settings(URI.create(os.novaUrl()).resolve("/").toString(), null, jenkins));
    }

    @Test
    public void applicationCredential() throws Exception {
        String id = os.appCredId();
        Compute c = new Openstack4jComputeFactory().connect(settings(authUrl, os.region(),
                os.applicationCredential()));
        long t0 = System.nanoTime();
        say("application credential " + id + ": limits " + c.limits() + " in " + ms(t0) + " ms");
        Server s = c.create(request(run + "-ac", fakeImage()));
        assertEquals(Server.Status.ACTIVE, waitWhileBuilding(s.id()).status());
        assertTrue(c.delete(s.id()));
        say("application credential: booted and deleted " + s.id());
        expect(Kind.PERMANENT, "application credential with a wrong secret",
                settings(authUrl, null, new ApplicationCredential(id, "wrong")));
    }

    // ------------------------------------------------------------------------------------------- helpers

    private void expect(Kind kind, String what, ConnectionSettings s) {
        long t0 = System.nanoTime();
        ComputeException e = assertThrows(ComputeException.class,
                () -> new Openstack4jComputeFactory().connect(s).limits());
        say(what + " -> " + e.getKind() + " in " + ms(t0) + " ms: " + e.getMessage());
        assertEquals(what + ": " + e.getMessage(), kind, e.getKind());
        assertThat(e.getMessage(), org.hamcrest.CoreMatchers.not(containsString("secret\"")));
    }

    private String fakeImage() {
        return os.imageId();
    }

    private ServerRequest request(String name, String image) {
        return new ServerRequest(name, os.flavorSmall(), image, List.of(), null, List.of(), null, "#cloud-config\n", ours);
    }

    private Server waitWhileBuilding(String id) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Server s = compute.find(id).orElseThrow();
            if (s.status() != Server.Status.BUILD || System.nanoTime() > end) {
                return s;
            }
            Thread.sleep(100);
        }
    }

    private void waitUntilGone(List<String> ids) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        for (String id : ids) {
            while (compute.find(id).isPresent()) {
                assertTrue(id + " still there after " + WAIT, System.nanoTime() < end);
                Thread.sleep(100);
            }
        }
    }

    private static ConnectionSettings settings(String url, String region, ConnectionSettings.Credentials c) {
        return new ConnectionSettings(url, region, c, true, Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    private static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static void say(String line) {
        System.out.println("[IT] " + line);
    }
}
