package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.model.Hudson;
import hudson.model.RootAction;
import hudson.slaves.Cloud;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.Ledger;
import io.jenkins.plugins.openstackagents.pool.LimitsSnapshot;
import io.jenkins.plugins.openstackagents.pool.Removal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The operator's view, at {@code /openstack-agents/}: for each cloud, Nova's quota as last read, the plugin's
 * in-flight ledger, whether requests are paused and why, API calls since start, and the last removals. For
 * administrators only.
 */
@Extension
public class CloudStatus implements RootAction {

    @Override
    public String getIconFileName() {
        return Hudson.getInstance().hasPermission(Hudson.ADMINISTER) ? RunningCore.get().statusIcon() : null;
    }

    @Override
    public String getDisplayName() {
        return "OpenStack Agents";
    }

    @Override
    public String getUrlName() {
        return "openstack-agents";
    }

    /** Where a new cloud is added on this core, relative to the root URL. */
    public String getNewCloudUrl() {
        return RunningCore.get().newCloud();
    }

    public List<OpenStackCloud> getClouds() {
        List<OpenStackCloud> r = new ArrayList<>();
        for (Cloud c : Hudson.getInstance().clouds) {
            if (c instanceof OpenStackCloud) {
                r.add((OpenStackCloud) c);
            }
        }
        return r;
    }

    /** {@code /openstack-agents/CLOUD}: the page of one cloud. */
    public View getDynamic(String cloudName) {
        Hudson.getInstance().checkPermission(Hudson.ADMINISTER);
        Cloud c = Hudson.getInstance().getCloud(cloudName);
        return c instanceof OpenStackCloud ? new View((OpenStackCloud) c) : null;
    }

    /** What the page of one cloud shows, read once per request. */
    public static final class View {
        private final OpenStackCloud cloud;
        private final CloudRuntime rt;

        View(OpenStackCloud cloud) {
            this.cloud = cloud;
            this.rt = cloud.runtime();
        }

        public OpenStackCloud getCloud() {
            return cloud;
        }

        /** Where this cloud is configured on this core, relative to the root URL. */
        public String getConfigureUrl() {
            return RunningCore.get().configure(cloud.name);
        }

        public LimitsSnapshot getLimits() {
            return rt.snapshots().lastLimits();
        }

        public String getPauseReason() {
            return rt.pauseReason();
        }

        public List<Ledger.Entry> getLedger() {
            return rt.ledger().entries();
        }

        /** Servers by template, then state. */
        public Map<String, Map<String, Integer>> getLedgerCounts() {
            Map<String, Map<String, Integer>> m = new TreeMap<>();
            for (Ledger.Entry e : rt.ledger().entries()) {
                m.computeIfAbsent(e.template(), t -> new TreeMap<>()).merge(e.state().name(), 1, Integer::sum);
            }
            return m;
        }

        /**
         * Why agents of this cloud cannot start now, one sentence each, problems of the cloud first: a paused
         * cloud, then each template that cannot start (a flavor the cloud does not have, say).
         */
        public List<String> getProblems() {
            List<String> r = new ArrayList<>();
            String paused = rt.pauseReason();
            if (paused != null) {
                r.add("Requests to the cloud are paused: " + paused);
            }
            r.addAll(OpenStackCloud.descriptor().problems().of(cloud.name, cloud.getTemplates()));
            return r;
        }

        /** A time as a person reads it: the UTC time of day to the second, and how long ago. */
        public String when(Instant t) {
            return Times.readable(t, Instant.now());
        }

        /** Spares of each template that wants any: wanted, ready, starting. */
        public Map<String, io.jenkins.plugins.openstackagents.pool.Spares.Count> getSpares() {
            return SpareAgents.counts(cloud);
        }

        public int getSpareEvictions() {
            return rt.spares().evictions();
        }

        /** Why no spare is started now; null when nothing stops it. */
        public String getSpareWait() {
            return rt.spares().waitReason();
        }

        public Map<String, Long> getApiCalls() {
            return rt.stats().snapshot();
        }

        public List<Removal> getRemovals() {
            return rt.removals();
        }
    }
}
