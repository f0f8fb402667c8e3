package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.model.Computer;
import hudson.model.Hudson;
import hudson.model.Label;
import hudson.model.PeriodicWork;
import hudson.slaves.Cloud;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Requests servers for waiting builds within a second. Jenkins' NodeProvisioner waits until its averaged queue
 * length has grown (tens of seconds); this looks at the queue itself four times a second (a look costs a copy of
 * the buildable items, nothing more), and starts agents for
 * the builds that no idle executor and no agent already on its way can take. It costs no API call while the
 * queue has no such build. NodeProvisioner keeps running too; {@link Provisioning} keeps the two from starting
 * two servers for one build. Disable with {@code -Dio.jenkins.plugins.openstackagents.FastProvisioner.enabled=false}.
 */
@Extension
public class FastProvisioner extends PeriodicWork {

    private static final Logger LOGGER = Logger.getLogger(FastProvisioner.class.getName());
    static final boolean ENABLED =
            Boolean.parseBoolean(System.getProperty(FastProvisioner.class.getName() + ".enabled", "true"));

    /** Clouds whose decision runs now: one at a time per cloud, and a slow cloud holds up no other. */
    private final Map<String, AtomicBoolean> busy = new ConcurrentHashMap<>();

    static final long PERIOD_MS = 250;

    @Override
    public long getRecurrencePeriod() {
        return PERIOD_MS;
    }

    @Override
    public long getInitialDelay() {
        return PERIOD_MS;
    }

    @Override
    protected void doRun() {
        if (!ENABLED) {
            return;
        }
        Map<Label, Integer> waiting = Provisioning.waitingBuilds();
        if (waiting.isEmpty()) {
            return;
        }
        for (Cloud c : Hudson.getInstance().clouds) {
            if (c instanceof OpenStackCloud) {
                serve((OpenStackCloud) c, waiting);
            }
        }
    }

    private void serve(OpenStackCloud cloud, Map<Label, Integer> waiting) {
        Map<Label, Integer> its = new HashMap<>();
        waiting.forEach((label, n) -> {
            if (cloud.canProvision(label)) {
                its.put(label, n);
            }
        });
        AtomicBoolean running = busy.computeIfAbsent(cloud.name, k -> new AtomicBoolean());
        if (its.isEmpty() || !running.compareAndSet(false, true)) {
            return;
        }
        // deciding may read the cloud's limits: not on the timer thread, and not in another cloud's way
        Computer.threadPoolForRemoting.submit(() -> {
            try {
                its.forEach((label, n) -> Provisioning.startNow(cloud, label, n));
            } catch (RuntimeException ex) {
                LOGGER.warning("Fast provisioning for cloud " + cloud.name + " failed: " + ex);
            } finally {
                running.set(false);
            }
        });
    }
}
