package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.pool.Ownership;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A MODEL, not the real thing: the node pool of the 2016 incident (nodepool as run by the Wikimedia CI then),
 * written from its documented behaviour in {@code /work/shared/incident-report.txt}, not from its code.
 *
 * <ul>
 *   <li>No quota check: about every second (1.0-1.2 s), one create attempt per waiting job that has no node
 *       building or ready. A refusal (403) fails that launch (one ERROR traceback in its log); the next loop tries
 *       again.</li>
 *   <li>Boot check every second; a server still in BUILD past its boot timeout is deleted. The timeout is drawn per
 *       node from 0.5-2.0 s, the range of the incident's "Deleting node ... which has been in building state for
 *       0.00012-0.00055 hours" lines (thcipriani: "1.04 seconds"). A server in ERROR is deleted.</li>
 *   <li>Delete: DELETE, then one check a second later; a server still there is given up client-side ("Timeout
 *       waiting for server deletion") and left in the node table in state delete; so is a failed DELETE. A periodic
 *       cleanup every 60 s lists the servers and sends DELETE again for those nodes.</li>
 *   <li>Single use: a node runs one job and is deleted.</li>
 * </ul>
 *
 * <p>The same class runs in the simulation and live against the real Nova ({@link ModelPolicy}).
 */
final class IncidentNodepoolModel extends ModelPolicy {

    private static final Map<String, String> OWNER = new Ownership("nodepool", "bench", "t", "n").toMetadata();

    private ModelContext c;
    private int building; // launches between the create request and ready (or failure)
    private final Set<String> toDelete = new LinkedHashSet<>(); // server ids left in state delete

    @Override
    public String name() {
        return "model of the incident's node pool (2016)";
    }

    @Override
    Map<String, String> owner() {
        return OWNER;
    }

    @Override
    void start(ModelContext ctx) {
        this.c = ctx;
        loop();
        c.time().after(60, this::cleanup);
    }

    private void loop() {
        int deficit = c.queue().waiting() - c.queue().idle() - building;
        for (int i = 0; i < deficit; i++) {
            launch();
        }
        c.time().after(c.nova().uniform(1.0, 1.2), this::loop);
    }

    private void launch() {
        building++;
        double timeout = c.random().nextDouble() * 1.5 + 0.5;
        double started = c.time().seconds();
        c.nova().call("POST", () -> c.nova().create("node", OWNER, c.flavor()),
                id -> c.time().after(1.0, () -> poll(id, started, timeout)),
                e -> building--); // "Forbidden launching node ... (HTTP 403)", an ERROR with its traceback
    }

    private void poll(String id, double started, double timeout) {
        c.nova().call("GET", () -> c.nova().status(id), st -> {
            if (st.isEmpty()) {
                building--;
            } else if (st.get() == Server.Status.ACTIVE) {
                building--;
                c.queue().agentOnline(() -> delete(id));
            } else if (st.get() == Server.Status.ERROR) {
                building--;
                delete(id);
            } else if (c.time().seconds() - started >= timeout) {
                building--; // "Deleting node id: N which has been in building state for 0.0003 hours"
                delete(id);
            } else {
                c.time().after(1.0, () -> poll(id, started, timeout));
            }
        }, e -> c.time().after(1.0, () -> poll(id, started, timeout)));
    }

    private void delete(String id) {
        c.nova().call("DELETE", () -> c.nova().delete(id), accepted -> {
            if (accepted) {
                c.time().after(1.0, () -> c.nova().call("GET", () -> c.nova().status(id), s -> {
                    if (s.isPresent()) {
                        toDelete.add(id); // "Timeout waiting for server ... deletion"
                    }
                }, e -> toDelete.add(id)));
            }
        }, e -> toDelete.add(id));
    }

    private void cleanup() {
        c.nova().call("GET", () -> c.nova().list(Map.of(Ownership.KEY_CONTROLLER, "nodepool")), list -> {
            for (String id : new ArrayList<>(toDelete)) {
                c.nova().call("DELETE", () -> c.nova().delete(id), b -> toDelete.remove(id), e -> { });
            }
        }, e -> { });
        c.time().after(60, this::cleanup);
    }
}
