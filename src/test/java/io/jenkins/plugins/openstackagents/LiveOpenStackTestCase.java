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

    @Override
    protected void tearDown() throws Exception {
        try {
            deleteOurServers();
        } finally {
            if (novaGuests != null) {
                novaGuests.close();
            }
            super.tearDown();
        }
    }

    /** A cloud on the local OpenStack, authenticating with the application credential. */
    protected OpenStackCloud liveCloud(String name, AgentTemplate... templates) throws Exception {
        return new OpenStackCloud(name, os.authUrl(), os.region(), "", "", "", os.domain(), os.appCredId(),
                os.appCredSecret(), true, 0, getURL().toString(), 60, 5, 60, List.of(templates));
    }

    protected AgentTemplate liveTemplate(String name, String labels, int idleMinutes) throws Exception {
        return new AgentTemplate(name, labels, os.flavorSmall(), os.imageId(), "", "", "", "", "", 1,
                createTmpDir().getAbsolutePath(), 0, idleMinutes, 5, 2, 0);
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
