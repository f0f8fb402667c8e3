package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.Util;
import hudson.model.Computer;
import hudson.model.Descriptor;
import hudson.model.Hudson;
import hudson.model.Label;
import hudson.slaves.Cloud;
import hudson.slaves.NodeProvisioner.PlannedNode;
import hudson.util.FormValidation;
import hudson.util.Secret;
import io.jenkins.plugins.openstackagents.forms.CloudForms;
import io.jenkins.plugins.openstackagents.forms.FormChecks;
import io.jenkins.plugins.openstackagents.forms.FormConnections;
import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeFactory;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.Openstack4jComputeFactory;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import io.jenkins.plugins.openstackagents.pool.Defaults;
import io.jenkins.plugins.openstackagents.pool.Sleeper;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import net.sf.json.JSONObject;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.QueryParameter;
import org.kohsuke.stapler.StaplerRequest;

/**
 * An OpenStack project whose servers become Jenkins agents. A configuration bean: it holds the settings of the
 * cloud configuration form and hands every decision to {@link Provisioning} and the {@code pool} package.
 * No lambdas in this class or its descriptor: Stapler 1.155 reads both class files with ASM 2 to learn parameter
 * names, and ASM 2 cannot parse invokedynamic.
 */
public class OpenStackCloud extends Cloud {

    public static final int DEFAULT_INSTANCE_CAP = 10;
    public static final String DEFAULT_DOMAIN = CloudForms.DEFAULT_DOMAIN;
    public static final int DEFAULT_LIMITS_INTERVAL_SECONDS = Defaults.LIMITS_INTERVAL_SECONDS;
    public static final int DEFAULT_REQUESTS_PER_SECOND = Defaults.REQUESTS_PER_SECOND;
    public static final int DEFAULT_CLEANUP_INTERVAL_SECONDS = Defaults.CLEANUP_INTERVAL_SECONDS;

    private final String authUrl;
    private final String region;
    private final String username;
    private final Secret password;
    private final String projectName;
    private final String domainName;
    private final String applicationCredentialId;
    private final Secret applicationCredentialSecret;
    private final boolean verifyTls;
    private final int instanceCap;
    private final String jenkinsUrl;
    private final int limitsIntervalSeconds;
    private final int requestsPerSecond;
    private final int cleanupIntervalSeconds;
    private final List<AgentTemplate> templates;

    @DataBoundConstructor
    public OpenStackCloud(String name, String authUrl, String region, String username, String password,
                          String projectName, String domainName, String applicationCredentialId,
                          String applicationCredentialSecret, boolean verifyTls, int instanceCap, String jenkinsUrl,
                          int limitsIntervalSeconds, int requestsPerSecond, int cleanupIntervalSeconds,
                          List<AgentTemplate> templates) {
        super(Util.fixNull(name).trim());
        this.authUrl = Util.fixNull(authUrl).trim();
        this.region = Util.fixEmptyAndTrim(region);
        this.username = Util.fixEmptyAndTrim(username);
        this.password = Secret.fromString(Util.fixNull(password));
        this.projectName = Util.fixEmptyAndTrim(projectName);
        this.domainName = Util.fixEmptyAndTrim(domainName) == null ? DEFAULT_DOMAIN : domainName.trim();
        this.applicationCredentialId = Util.fixEmptyAndTrim(applicationCredentialId);
        this.applicationCredentialSecret = Secret.fromString(Util.fixNull(applicationCredentialSecret));
        this.verifyTls = verifyTls;
        this.instanceCap = Math.max(0, instanceCap);
        this.jenkinsUrl = Util.fixEmptyAndTrim(jenkinsUrl);
        this.limitsIntervalSeconds = limitsIntervalSeconds > 0 ? limitsIntervalSeconds
                : DEFAULT_LIMITS_INTERVAL_SECONDS;
        this.requestsPerSecond = requestsPerSecond > 0 ? requestsPerSecond : DEFAULT_REQUESTS_PER_SECOND;
        this.cleanupIntervalSeconds = cleanupIntervalSeconds > 0 ? cleanupIntervalSeconds
                : DEFAULT_CLEANUP_INTERVAL_SECONDS;
        this.templates = templates == null ? Collections.<AgentTemplate>emptyList()
                : Collections.unmodifiableList(new ArrayList<AgentTemplate>(templates));
    }

    public String getAuthUrl() { return authUrl; }
    public String getRegion() { return region; }
    public String getUsername() { return username; }
    public Secret getPassword() { return password; }
    public String getProjectName() { return projectName; }
    public String getDomainName() { return domainName; }
    public String getApplicationCredentialId() { return applicationCredentialId; }
    public Secret getApplicationCredentialSecret() { return applicationCredentialSecret; }
    public boolean isVerifyTls() { return verifyTls; }
    /** At most this many servers of this cloud at once; 0 = only Nova's quota applies. */
    public int getInstanceCap() { return instanceCap; }
    /** The URL agents use to reach Jenkins; null = Jenkins' own URL. */
    public String getJenkinsUrl() { return jenkinsUrl; }
    /** Nova's limits are read at most once per this many seconds (and at once after a quota error). */
    public int getLimitsIntervalSeconds() { return limitsIntervalSeconds; }
    /** The most API requests per second this controller sends to the cloud. */
    public int getRequestsPerSecond() { return requestsPerSecond; }
    /** How often the periodic cleanup looks at this cloud's servers (one list call each time). */
    public int getCleanupIntervalSeconds() { return cleanupIntervalSeconds; }
    public List<AgentTemplate> getTemplates() { return templates; }

    /** Fills in settings added after a configuration was saved. */
    protected Object readResolve() {
        if (limitsIntervalSeconds <= 0 || requestsPerSecond <= 0 || cleanupIntervalSeconds <= 0) {
            return new OpenStackCloud(name, authUrl, region, username, Secret.toString(password), projectName,
                    domainName, applicationCredentialId, Secret.toString(applicationCredentialSecret), verifyTls,
                    instanceCap, jenkinsUrl, limitsIntervalSeconds, requestsPerSecond, cleanupIntervalSeconds,
                    templates);
        }
        return this;
    }

    public AgentTemplate getTemplate(String templateName) {
        for (AgentTemplate t : templates) {
            if (t.getName() != null && t.getName().equals(templateName)) {
                return t;
            }
        }
        return null;
    }

    public ConnectionSettings connectionSettings() {
        return CloudForms.settings(authUrl, region, verifyTls, username, password, projectName, domainName,
                applicationCredentialId, applicationCredentialSecret);
    }

    /** The provisioning state of this cloud, kept across configuration changes. */
    public CloudRuntime runtime() {
        return descriptor().runtime(this);
    }

    @Override
    public boolean canProvision(Label label) {
        for (AgentTemplate t : templates) {
            if (t.matches(label)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Collection<PlannedNode> provision(Label label, int excessWorkload) {
        return Provisioning.provision(this, label, excessWorkload);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof OpenStackCloud)) {
            return false;
        }
        OpenStackCloud c = (OpenStackCloud) o;
        return name.equals(c.name) && authUrl.equals(c.authUrl) && Objects.equals(region, c.region)
                && Objects.equals(username, c.username) && password.equals(c.password)
                && Objects.equals(projectName, c.projectName) && domainName.equals(c.domainName)
                && Objects.equals(applicationCredentialId, c.applicationCredentialId)
                && applicationCredentialSecret.equals(c.applicationCredentialSecret) && verifyTls == c.verifyTls
                && instanceCap == c.instanceCap && Objects.equals(jenkinsUrl, c.jenkinsUrl)
                && limitsIntervalSeconds == c.limitsIntervalSeconds && requestsPerSecond == c.requestsPerSecond
                && cleanupIntervalSeconds == c.cleanupIntervalSeconds
                && templates.equals(c.templates);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, authUrl, region);
    }

    @Override
    public String toString() {
        return "OpenStackCloud[" + name + ", " + authUrl + "]";
    }

    static DescriptorImpl descriptor() {
        return Hudson.getInstance().getDescriptorByType(DescriptorImpl.class);
    }

    /**
     * Whether the Jenkins that started a watch or a launch is shutting down or was replaced (its thread pool outlives
     * it; a restart inside the JVM, as the test harness does, makes a new one).
     */
    static final class ShuttingDown implements BooleanSupplier {
        private final Hudson hudson;

        ShuttingDown(Hudson hudson) {
            this.hudson = hudson;
        }

        @Override
        public boolean getAsBoolean() {
            if (hudson.isTerminating()) {
                return true;
            }
            try {
                return Hudson.getInstance() != hudson;
            } catch (IllegalStateException e) { // current Jenkins between two instances
                return true;
            }
        }
    }

    @Extension
    public static class DescriptorImpl extends Descriptor<Cloud> {

        private final transient Map<String, CloudRuntime> runtimes = new ConcurrentHashMap<>();
        private transient volatile ComputeFactory computeFactory = new Openstack4jComputeFactory();
        private transient volatile String controllerId;
        private final transient TemplateProblems problems = new TemplateProblems();
        private transient volatile CloudForms forms = newForms(computeFactory);

        @Override
        public String getDisplayName() {
            return "OpenStack Agents";
        }

        /** Refuses a form that cannot work ({@link FormChecks#requireSaveable}): the clouds are not changed then. */
        @Override
        public Cloud newInstance(StaplerRequest req, JSONObject json) throws FormException {
            FormChecks.requireSaveable(json);
            return super.newInstance(req, json);
        }

        TemplateProblems problems() {
            return problems;
        }

        /** The web methods of the forms that talk to the cloud. */
        CloudForms forms() {
            return forms;
        }

        private CloudForms newForms(ComputeFactory factory) {
            return new CloudForms(new FormConnections(factory, new ConfiguredGate(), Clock.systemUTC()));
        }

        /** The gate of a configured cloud whose runtime is connected with exactly these settings. */
        private final class ConfiguredGate implements Function<ConnectionSettings, Optional<Compute>> {
            @Override
            public Optional<Compute> apply(ConnectionSettings s) {
                for (CloudRuntime rt : runtimes.values()) {
                    Optional<Compute> gate = rt.gateFor(s);
                    if (gate.isPresent()) {
                        return gate;
                    }
                }
                return Optional.empty();
            }
        }

        /** Replaces how clouds connect (the tests use an in-memory cloud). Resets every cloud's connection. */
        public void setComputeFactory(ComputeFactory factory) {
            this.computeFactory = factory;
            runtimes.clear();
            forms = newForms(factory);
        }

        CloudRuntime runtime(OpenStackCloud cloud) {
            CloudRuntime rt = runtimes.get(cloud.name);
            if (rt == null) {
                CloudRuntime fresh = new CloudRuntime(cloud.name, controllerId(), computeFactory, Clock.systemUTC(),
                        Sleeper.REAL, Computer.threadPoolForRemoting, new ShuttingDown(Hudson.getInstance()));
                rt = runtimes.putIfAbsent(cloud.name, fresh);
                rt = rt == null ? fresh : rt;
            }
            rt.connect(cloud.connectionSettings());
            rt.setLimitsInterval(Duration.ofSeconds(cloud.getLimitsIntervalSeconds()));
            rt.setRequestsPerSecond(cloud.getRequestsPerSecond());
            boolean floating = false;
            for (AgentTemplate t : cloud.getTemplates()) {
                floating |= t.usesFloatingIp();
            }
            rt.setFloatingIpsWanted(floating);
            return rt;
        }

        /**
         * An opaque, stable identifier of this Jenkins controller, written into server metadata: a digest of
         * the controller's secret key, which cannot be turned back into it.
         */
        public String controllerId() {
            String id = controllerId;
            if (id == null) {
                try {
                    byte[] d = MessageDigest.getInstance("SHA-256").digest(
                            ("openstack-agents:" + Hudson.getInstance().getSecretKey()).getBytes(StandardCharsets.UTF_8));
                    StringBuilder sb = new StringBuilder();
                    for (int i = 0; i < 8; i++) {
                        sb.append(String.format("%02x", d[i]));
                    }
                    id = sb.toString();
                    controllerId = id;
                } catch (NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
            }
            return id;
        }

        public FormValidation doCheckName(@QueryParameter String value) {
            return FormChecks.name(value, "cloud");
        }

        public FormValidation doCheckAuthUrl(@QueryParameter String value) {
            return FormChecks.authUrl(value);
        }

        public FormValidation doCheckJenkinsUrl(@QueryParameter String value) {
            return FormChecks.jenkinsUrl(value);
        }

        public FormValidation doCheckInstanceCap(@QueryParameter String value) {
            return FormChecks.INSTANCE_CAP.check(value);
        }

        public FormValidation doCheckLimitsIntervalSeconds(@QueryParameter String value) {
            return FormChecks.LIMITS_INTERVAL.check(value);
        }

        public FormValidation doCheckCleanupIntervalSeconds(@QueryParameter String value) {
            return FormChecks.CLEANUP_INTERVAL.check(value);
        }

        public FormValidation doCheckRequestsPerSecond(@QueryParameter String value) {
            return FormChecks.REQUESTS_PER_SECOND.check(value);
        }

        /**
         * A project is needed with a user name and no application credential. Hudson 1.395 checks a field again only
         * when it changes, so a new cloud (nothing typed yet) is not told off before its credential is typed.
         */
        public FormValidation doCheckProjectName(@QueryParameter String value, @QueryParameter String username,
                                                 @QueryParameter String applicationCredentialId) {
            return Util.fixEmptyAndTrim(applicationCredentialId) == null && Util.fixEmptyAndTrim(username) != null
                    ? FormChecks.required(value, "Enter the project, or use an application credential.")
                    : FormValidation.ok();
        }

        public FormValidation doTestConnection(@QueryParameter String authUrl, @QueryParameter String region,
                                               @QueryParameter boolean verifyTls, @QueryParameter String username,
                                               @QueryParameter String password, @QueryParameter String projectName,
                                               @QueryParameter String domainName,
                                               @QueryParameter String applicationCredentialId,
                                               @QueryParameter String applicationCredentialSecret) {
            return forms.testConnection(CloudForms.settings(authUrl, region, verifyTls, username, password,
                    projectName, domainName, applicationCredentialId, applicationCredentialSecret));
        }
    }
}
