package io.jenkins.plugins.openstackagents;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.Openstack4jComputeFactory;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.util.List;
import java.util.Map;

/**
 * A real Hudson whose clouds talk to the real OpenStack on 127.0.0.1 ({@code src/test/openstack/openstack-lite.sh},
 * started by {@code mvn verify}); a {@link NovaGuestEmulator} plays the servers' operating system. Each test leaves
 * no server behind.
 */
public abstract class LiveOpenStackTestCase extends OpenStackTestCase {

    protected LocalOpenStack os;
    protected NovaGuestEmulator novaGuests;
    /** The jenkins project, seen directly (not through the plugin), for checks and clean-up. */
    protected Compute nova;

    @Override
    protected void setUp() throws Exception {
        super.setUp();
        os = LocalOpenStack.get();
        OpenStackCloud.descriptor().setComputeFactory(new Openstack4jComputeFactory());
        nova = new Openstack4jComputeFactory().connect(os.settings(os.jenkinsCredentials()));
        deleteOurServers(); // a crashed earlier run must not take this one's quota
        novaGuests = new NovaGuestEmulator(os, createTmpDir());
    }

    /** Servers whose user data the live tests of this JVM inspected. */
    private static final java.util.concurrent.atomic.AtomicInteger INSPECTED = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    protected void tearDown() throws Exception {
        try {
            deleteOurServers();
            assertNoServerWasHandedTheControllersKey();
        } finally {
            if (novaGuests != null) {
                novaGuests.close();
            }
            super.tearDown();
        }
    }

    /**
     * The user data of every server this test's emulator saw (read from Nova as admin) holds neither the
     * controller's secret key nor a path to it.
     */
    private void assertNoServerWasHandedTheControllersKey() {
        Map<String, String> seen = novaGuests.userDataSeen();
        String key = hudson.getSecretKey();
        for (Map.Entry<String, String> e : seen.entrySet()) {
            assertFalse("server " + e.getKey() + "'s user data holds the controller's secret key",
                    e.getValue().contains(key));
            assertFalse("server " + e.getKey() + "'s user data names secret.key", e.getValue().contains("secret.key"));
        }
        int total = INSPECTED.addAndGet(seen.size());
        System.out.println("USERDATA " + getClass().getSimpleName() + "." + getName() + ": " + seen.size()
                + " servers' user data inspected (" + total + " in this run), none holds the controller's key");
    }

    /** A cloud on the local OpenStack, authenticating with the application credential. */
    protected OpenStackCloud liveCloud(String name, AgentTemplate... templates) throws Exception {
        return new OpenStackCloud(name, os.authUrl(), os.region(), "", "", "", os.domain(), os.appCredId(),
                os.appCredSecret(), true, 0, getURL().toString(), 60, 5, 60, List.of(templates));
    }

    /** An SSH template (the default), on the project's network: Nova attaches its servers to agents-net. */
    protected AgentTemplate liveTemplate(String name, String labels, int idleMinutes) throws Exception {
        return liveTemplate(name, labels, idleMinutes, 0);
    }

    /** The same, keeping {@code spareAgents} idle agents ready. */
    protected AgentTemplate liveTemplate(String name, String labels, int idleMinutes, int spareAgents)
            throws Exception {
        return new AgentTemplate(name, labels, os.flavorSmall(), os.imageId(), "", "", "", "", "", 1,
                createTmpDir().getAbsolutePath(), 0, idleMinutes, 5, 2, 0, AgentTemplate.SSH, "", 0, null,
                spareAgents);
    }

    /** Every server of the project carrying this controller's ownership, deleted and waited for (404). */
    protected void deleteOurServers() throws Exception {
        Map<String, String> mine = Map.of(Ownership.KEY_CONTROLLER, OpenStackCloud.descriptor().controllerId());
        List<Server> left = nova.list(mine);
        for (Server s : left) {
            nova.delete(s.id());
        }
        long deadline = System.currentTimeMillis() + 60_000;
        while (!nova.list(mine).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(500);
        }
        assertEquals("servers left on Nova", List.of(), nova.list(mine));
    }

    /** Waits until Nova no longer knows the server; returns how long that took. */
    protected long awaitGone(String serverId, long timeoutMs) throws Exception {
        long t0 = System.currentTimeMillis();
        while (nova.find(serverId).isPresent()) {
            if (System.currentTimeMillis() - t0 > timeoutMs) {
                fail("server " + serverId + " still on Nova after " + timeoutMs + " ms");
            }
            Thread.sleep(100);
        }
        return System.currentTimeMillis() - t0;
    }
}
