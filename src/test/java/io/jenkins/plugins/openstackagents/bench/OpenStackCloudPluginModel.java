package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A MODEL, not the real thing: the existing OpenStack plugin for Jenkins (openstack-cloud-plugin), written from
 * its documented behaviour, not from its code: the instance cap is counted from a server list, Nova's quota is
 * not checked, NodeProvisioner asks every 10 s and the plugin starts up to 10 servers per round, each building
 * server is polled every second until ACTIVE, ERROR or the boot timeout (10 min), and the servers are listed every
 * 10 s (on their own timer, 5 s out of phase with the rounds). The cap is set to the quota's instance count, as a
 * careful administrator would; servers created since the last list are counted too.
 *
 * <p>Single use: when its build ends, the agent's server is deleted (no wait for 404); a DELETE that failed is
 * sent again when a later list still shows the server.
 *
 * <p>The same class runs in the simulation and live against the real Nova ({@link ModelPolicy}).
 */
final class OpenStackCloudPluginModel extends ModelPolicy {

    private static final Map<String, String> OWNER = Map.of(Ownership.KEY_CONTROLLER, "jenkins-openstack",
            Ownership.KEY_CLOUD, "bench");

    private ModelContext c;
    private int cap;
    private int provisioning; // servers asked for and not yet online or failed
    private int inFlight; // create requests not answered yet
    private Set<String> listed = new HashSet<>();
    private double listedAt = -1;
    private final Map<String, Double> createdAt = new LinkedHashMap<>();
    private final Map<String, Boolean> deleteFailed = new HashMap<>();

    @Override
    public String name() {
        return "model of the existing OpenStack plugin";
    }

    @Override
    Map<String, String> owner() {
        return OWNER;
    }

    @Override
    void start(ModelContext ctx) {
        this.c = ctx;
        this.cap = ctx.nova().maxInstances();
        list();
        c.time().after(5, this::round);
    }

    private void list() {
        double at = c.time().seconds();
        c.nova().call("GET", () -> c.nova().list(OWNER), servers -> {
            Set<String> ids = new HashSet<>();
            for (String id : servers) {
                ids.add(id);
                if (Boolean.TRUE.equals(deleteFailed.get(id))) {
                    delete(id);
                }
            }
            listed = ids;
            listedAt = at;
            createdAt.values().removeIf(t -> t < at);
        }, e -> { });
        c.time().after(10, this::list);
    }

    private void round() {
        int excess = c.queue().waiting() - c.queue().idle() - provisioning;
        int count = listed.size() + createdAt.size() + inFlight;
        int n = Math.min(10, Math.min(excess, cap - count));
        for (int i = 0; i < n; i++) {
            create();
        }
        c.time().after(10, this::round);
    }

    private void create() {
        provisioning++;
        inFlight++;
        c.nova().call("POST", () -> c.nova().create("jenkins-agent", OWNER, c.flavor()), id -> {
            inFlight--;
            createdAt.put(id, c.time().seconds());
            c.time().after(1.0, () -> poll(id, c.time().seconds()));
        }, e -> {
            inFlight--;
            provisioning--;
        });
    }

    private void poll(String id, double started) {
        c.nova().call("GET", () -> c.nova().status(id), st -> {
            if (st.isEmpty()) {
                provisioning--;
            } else if (st.get() == Server.Status.ACTIVE) {
                provisioning--;
                c.queue().agentOnline(() -> delete(id));
            } else if (st.get() == Server.Status.ERROR || c.time().seconds() - started > 600) {
                provisioning--;
                delete(id);
            } else {
                c.time().after(1.0, () -> poll(id, started));
            }
        }, e -> c.time().after(1.0, () -> poll(id, started)));
    }

    private void delete(String id) {
        c.nova().call("DELETE", () -> c.nova().delete(id), b -> deleteFailed.remove(id),
                e -> deleteFailed.put(id, true));
    }
}
