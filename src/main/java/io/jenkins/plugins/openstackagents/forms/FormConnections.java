package io.jenkins.plugins.openstackagents.forms;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeFactory;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.pool.ApiStats;
import io.jenkins.plugins.openstackagents.pool.Defaults;
import io.jenkins.plugins.openstackagents.pool.GatedCompute;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The connections the configuration forms use, through a gate like every other request: a configured cloud's own
 * (its rate limit, its pause, its statistics) when the form shows its saved settings, else one kept per set of
 * settings for a while. One connection logs in once, so a page's dropdowns and checks for one cloud cost one token,
 * not one per list.
 */
public final class FormConnections {

    /** A connection the forms have not used for this long is dropped (its token with it). */
    static final Duration KEPT = Duration.ofMinutes(10);
    static final int MOST = 8;

    private record Kept(GatedCompute gate, Instant usedAt) {
    }

    private final ComputeFactory factory;
    private final Function<ConnectionSettings, Optional<Compute>> configured;
    private final Clock clock;
    private final Map<ConnectionSettings, Kept> kept = new LinkedHashMap<>(); // guarded by this

    /**
     * @param configured the gate of a configured cloud connected with exactly these settings, if there is one
     */
    public FormConnections(ComputeFactory factory, Function<ConnectionSettings, Optional<Compute>> configured,
                           Clock clock) {
        this.factory = factory;
        this.configured = configured;
        this.clock = clock;
    }

    /** The connection for these settings; nothing is asked of the cloud until it is used. */
    public Compute connect(ConnectionSettings settings) {
        Optional<Compute> cloud = configured.apply(settings);
        if (cloud.isPresent()) {
            return cloud.get();
        }
        Instant now = clock.instant();
        synchronized (this) {
            for (Iterator<Kept> it = kept.values().iterator(); it.hasNext(); ) {
                if (!now.isBefore(it.next().usedAt().plus(KEPT))) {
                    it.remove();
                }
            }
            Kept k = kept.remove(settings);
            if (k == null) {
                GatedCompute gate = new GatedCompute(settings.authUrl(), factory, clock, new ApiStats());
                gate.setRequestsPerSecond(Defaults.REQUESTS_PER_SECOND);
                gate.connect(settings);
                k = new Kept(gate, now);
            }
            kept.put(settings, new Kept(k.gate(), now)); // most recently used last
            while (kept.size() > MOST) {
                kept.remove(kept.keySet().iterator().next());
            }
            return k.gate();
        }
    }
}
