package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.model.Computer;
import hudson.model.Hudson;
import hudson.model.Label;
import hudson.model.PeriodicWork;
import hudson.slaves.Cloud;
import java.util.Map;
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

    private final AtomicBoolean busy = new AtomicBoolean();

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
        if (!ENABLED || busy.get()) {
            return;
        }
        Map<Label, Integer> waiting = Provisioning.waitingBuilds();
        waiting.keySet().removeIf(label -> !ours(label));
        if (waiting.isEmpty() || !busy.compareAndSet(false, true)) {
            return;
        }
        // deciding may read Nova's limits: not on the timer thread
        Computer.threadPoolForRemoting.submit(() -> {
            try {
                waiting.forEach(Provisioning::startNow);
            } catch (RuntimeException ex) {
                LOGGER.warning("Fast provisioning failed: " + ex);
            } finally {
                busy.set(false);
            }
        });
    }

    private static boolean ours(Label label) {
        for (Cloud c : Hudson.getInstance().clouds) {
            if (c instanceof OpenStackCloud && c.canProvision(label)) {
                return true;
            }
        }
        return false;
    }
}
