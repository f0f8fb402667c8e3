package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.RelativePath;
import hudson.Util;
import hudson.model.AbstractDescribableImpl;
import hudson.model.Descriptor;
import hudson.model.Label;
import hudson.model.labels.LabelAtom;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import hudson.util.Secret;
import io.jenkins.plugins.openstackagents.forms.CloudForms;
import io.jenkins.plugins.openstackagents.forms.CloudListings;
import io.jenkins.plugins.openstackagents.forms.FormChecks;
import io.jenkins.plugins.openstackagents.pool.UserData;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.QueryParameter;

/**
 * How to boot one kind of agent: which labels it serves, and the flavor, image, network and user data of its
 * servers. A configuration bean: no lambdas here (Stapler 1.155 reads this class file with ASM 2).
 */
public class AgentTemplate extends AbstractDescribableImpl<AgentTemplate> {

    public static final int DEFAULT_NUM_EXECUTORS = 1;
    public static final int DEFAULT_IDLE_MINUTES = 10;
    public static final int DEFAULT_BOOT_TIMEOUT_MINUTES = 10;
    public static final int DEFAULT_CONNECT_TIMEOUT_MINUTES = 10;
    public static final String DEFAULT_REMOTE_FS = "/home/jenkins/agent";
    /** The controller connects to the server over SSH and starts the agent (the default). */
    public static final String SSH = "ssh";
    /** The server's user data starts the agent, which connects to the controller. */
    public static final String INBOUND = "inbound";
    public static final String DEFAULT_SSH_USER = "jenkins";
    public static final int DEFAULT_SSH_PORT = 22;

    private final String name;
    private final String labels;
    private final String flavor;
    private final String image;
    private final String network;
    private final String keyPair;
    private final String securityGroups;
    private final String availabilityZone;
    /** Blank: the default for the launch method. Not final: configurations saved before SSH are read into it. */
    private String userData;
    private final int numExecutors;
    private final String remoteFs;
    private final int instanceCap;
    private final int idleMinutes;
    private final int bootTimeoutMinutes;
    private final int connectTimeoutMinutes;
    private final int maxBuildMinutes;
    /** {@link #SSH} or {@link #INBOUND}; null in configurations saved before SSH agents: inbound. */
    private String launchMethod;
    private String sshUser;
    private int sshPort;
    /** The private key of the Nova key pair the image installs for {@link #sshUser}; null: a key per agent. */
    private Secret sshPrivateKey;
    /** Idle, online agents of this template kept ready before builds ask; 0 (and configurations before it): none. */
    private int spareAgents;
    /** An idle spare older than this many minutes is replaced; 0 (and configurations before it): never. */
    private int spareMaxAgeMinutes;
    /** Networks after {@link #network}, in order, each once and none the first again. */
    private List<AgentNetwork> extraNetworks;
    /** How the networks after the first were saved before they were rows (ids separated by commas); read only. */
    @Deprecated
    private String additionalNetworks;
    /** The external network a floating IP is allocated on for each agent, its address the one connected to. */
    private String floatingIpPool;

    /** An inbound template (as every template was before SSH agents). */
    public AgentTemplate(String name, String labels, String flavor, String image, String network, String keyPair,
                         String securityGroups, String availabilityZone, String userData, int numExecutors,
                         String remoteFs, int instanceCap, int idleMinutes, int bootTimeoutMinutes,
                         int connectTimeoutMinutes, int maxBuildMinutes) {
        this(name, labels, flavor, image, network, keyPair, securityGroups, availabilityZone, userData, numExecutors,
                remoteFs, instanceCap, idleMinutes, bootTimeoutMinutes, connectTimeoutMinutes, maxBuildMinutes,
                INBOUND, null, 0, null);
    }

    /** A template without spare agents. */
    public AgentTemplate(String name, String labels, String flavor, String image, String network, String keyPair,
                         String securityGroups, String availabilityZone, String userData, int numExecutors,
                         String remoteFs, int instanceCap, int idleMinutes, int bootTimeoutMinutes,
                         int connectTimeoutMinutes, int maxBuildMinutes, String launchMethod, String sshUser,
                         int sshPort, Secret sshPrivateKey) {
        this(name, labels, flavor, image, network, keyPair, securityGroups, availabilityZone, userData, numExecutors,
                remoteFs, instanceCap, idleMinutes, bootTimeoutMinutes, connectTimeoutMinutes, maxBuildMinutes,
                launchMethod, sshUser, sshPort, sshPrivateKey, 0);
    }

    /** A template whose spares are never replaced for their age. */
    public AgentTemplate(String name, String labels, String flavor, String image, String network, String keyPair,
                         String securityGroups, String availabilityZone, String userData, int numExecutors,
                         String remoteFs, int instanceCap, int idleMinutes, int bootTimeoutMinutes,
                         int connectTimeoutMinutes, int maxBuildMinutes, String launchMethod, String sshUser,
                         int sshPort, Secret sshPrivateKey, int spareAgents) {
        this(name, labels, flavor, image, network, keyPair, securityGroups, availabilityZone, userData, numExecutors,
                remoteFs, instanceCap, idleMinutes, bootTimeoutMinutes, connectTimeoutMinutes, maxBuildMinutes,
                launchMethod, sshUser, sshPort, sshPrivateKey, spareAgents, 0);
    }

    public AgentTemplate(String name, String labels, String flavor, String image, String network, String keyPair,
                         String securityGroups, String availabilityZone, String userData, int numExecutors,
                         String remoteFs, int instanceCap, int idleMinutes, int bootTimeoutMinutes,
                         int connectTimeoutMinutes, int maxBuildMinutes, String launchMethod, String sshUser,
                         int sshPort, Secret sshPrivateKey, int spareAgents, int spareMaxAgeMinutes) {
        this(name, labels, flavor, image, network, keyPair, securityGroups, availabilityZone, userData, numExecutors,
                remoteFs, instanceCap, idleMinutes, bootTimeoutMinutes, connectTimeoutMinutes, maxBuildMinutes,
                launchMethod, sshUser, sshPort, sshPrivateKey, spareAgents, spareMaxAgeMinutes, null, "");
    }

    @DataBoundConstructor
    public AgentTemplate(String name, String labels, String flavor, String image, String network, String keyPair,
                         String securityGroups, String availabilityZone, String userData, int numExecutors,
                         String remoteFs, int instanceCap, int idleMinutes, int bootTimeoutMinutes,
                         int connectTimeoutMinutes, int maxBuildMinutes, String launchMethod, String sshUser,
                         int sshPort, Secret sshPrivateKey, int spareAgents, int spareMaxAgeMinutes,
                         List<AgentNetwork> extraNetworks, String floatingIpPool) {
        this.name = Util.fixEmptyAndTrim(name);
        this.labels = Util.fixNull(labels).trim();
        this.flavor = Util.fixEmptyAndTrim(flavor);
        this.image = Util.fixEmptyAndTrim(image);
        this.network = Util.fixEmptyAndTrim(network);
        this.keyPair = Util.fixEmptyAndTrim(keyPair);
        this.securityGroups = Util.fixNull(securityGroups).trim();
        this.availabilityZone = Util.fixEmptyAndTrim(availabilityZone);
        this.userData = customUserData(userData);
        this.numExecutors = numExecutors > 0 ? numExecutors : DEFAULT_NUM_EXECUTORS;
        this.remoteFs = Util.fixEmptyAndTrim(remoteFs) == null ? DEFAULT_REMOTE_FS : remoteFs.trim();
        this.instanceCap = Math.max(0, instanceCap);
        this.idleMinutes = Math.max(0, idleMinutes);
        this.bootTimeoutMinutes = bootTimeoutMinutes > 0 ? bootTimeoutMinutes : DEFAULT_BOOT_TIMEOUT_MINUTES;
        this.connectTimeoutMinutes = connectTimeoutMinutes > 0 ? connectTimeoutMinutes
                : DEFAULT_CONNECT_TIMEOUT_MINUTES;
        this.maxBuildMinutes = Math.max(0, maxBuildMinutes);
        this.launchMethod = INBOUND.equals(launchMethod) ? INBOUND : SSH;
        this.sshUser = Util.fixEmptyAndTrim(sshUser) == null ? DEFAULT_SSH_USER : sshUser.trim();
        this.sshPort = sshPort > 0 && sshPort <= 65535 ? sshPort : DEFAULT_SSH_PORT;
        this.sshPrivateKey = sshPrivateKey == null || Secret.toString(sshPrivateKey).trim().isEmpty() ? null
                : sshPrivateKey;
        this.spareAgents = Math.max(0, spareAgents);
        this.spareMaxAgeMinutes = Math.max(0, spareMaxAgeMinutes);
        this.extraNetworks = others(this.network, extraNetworks);
        this.floatingIpPool = Util.fixNull(floatingIpPool).trim();
    }

    /** A template saved before SSH agents is inbound, and its user data, when it was the default, is the default. */
    private Object readResolve() {
        if (launchMethod == null) {
            launchMethod = INBOUND;
        }
        if (sshUser == null) {
            sshUser = DEFAULT_SSH_USER;
        }
        if (sshPort == 0) {
            sshPort = DEFAULT_SSH_PORT;
        }
        if (extraNetworks == null) {
            List<AgentNetwork> saved = new ArrayList<AgentNetwork>();
            for (String id : words(additionalNetworks)) {
                saved.add(new AgentNetwork(id));
            }
            extraNetworks = others(network, saved);
            additionalNetworks = null;
        }
        if (floatingIpPool == null) {
            floatingIpPool = "";
        }
        userData = customUserData(userData);
        return this;
    }

    /** The networks given after {@code first}, in order: each once, none blank, none the first again. */
    private static List<AgentNetwork> others(String first, List<AgentNetwork> given) {
        List<AgentNetwork> r = new ArrayList<AgentNetwork>();
        if (given == null) {
            return r;
        }
        for (AgentNetwork n : given) {
            if (!n.getId().isEmpty() && !n.getId().equals(first) && !r.contains(n)) {
                r.add(n);
            }
        }
        return r;
    }

    /** "" for blank or either default (the default then follows the launch method), else the text as given. */
    private static String customUserData(String text) {
        if (Util.fixEmptyAndTrim(text) == null || text.equals(UserData.DEFAULT_SCRIPT)
                || text.equals(UserData.DEFAULT_SSH_CLOUD_CONFIG)) {
            return "";
        }
        return text;
    }

    public String getName() { return name; }
    public String getLabels() { return labels; }
    public String getFlavor() { return flavor; }
    public String getImage() { return image; }
    public String getNetwork() { return network; }
    /** The networks after the first, in order; empty for none. */
    public List<AgentNetwork> getExtraNetworks() { return java.util.Collections.unmodifiableList(extraNetworks); }
    /** The external network floating IPs come from; "" when agents are reached at their first network's address. */
    public String getFloatingIpPool() { return floatingIpPool; }
    public boolean usesFloatingIp() { return !floatingIpPool.isEmpty(); }

    /** The Neutron ports each server takes: one per network (one on the project's default network when none is set). */
    public int portsPerServer() { return Math.max(1, networkIds().size()); }

    /** Every network the servers get a port on, in order; empty for the project's default network. */
    public List<String> networkIds() {
        List<String> r = new ArrayList<String>();
        if (network != null) {
            r.add(network);
        }
        for (AgentNetwork n : extraNetworks) {
            r.add(n.getId());
        }
        return r;
    }
    public String getKeyPair() { return keyPair; }
    public String getSecurityGroups() { return securityGroups; }
    public String getAvailabilityZone() { return availabilityZone; }
    /** The user data as configured; "" means the default of the launch method ({@link #effectiveUserData()}). */
    public String getUserData() { return userData; }
    public String getLaunchMethod() { return launchMethod; }
    public boolean isSsh() { return SSH.equals(launchMethod); }
    public String getSshUser() { return sshUser; }
    public int getSshPort() { return sshPort; }
    /** For the form (shown encrypted) and the launch; null when each agent gets a key pair of its own. */
    public Secret getSshPrivateKey() { return sshPrivateKey; }

    /** What the servers' cloud-init gets, before its variables are replaced. */
    public String effectiveUserData() {
        if (!userData.isEmpty()) {
            return userData;
        }
        return isSsh() ? UserData.DEFAULT_SSH_CLOUD_CONFIG : UserData.DEFAULT_SCRIPT;
    }
    public int getNumExecutors() { return numExecutors; }
    /** How many idle, online agents of this template are kept ready before builds ask for them. */
    public int getSpareAgents() { return spareAgents; }
    /** Minutes after which an idle spare is replaced by a new one (picking up a newer image); 0 = never. */
    public int getSpareMaxAgeMinutes() { return spareMaxAgeMinutes; }

    /** Executors of each agent: one for a single-use agent, which takes one build, whatever the field says. */
    public int executorsPerAgent() {
        return isSingleUse() ? 1 : numExecutors;
    }
    public String getRemoteFs() { return remoteFs; }
    /** At most this many servers of this template at once; 0 = only the cloud's cap applies. */
    public int getInstanceCap() { return instanceCap; }
    /** Minutes an agent may stay idle before it is removed; 0 = single use (removed after one build). */
    public int getIdleMinutes() { return idleMinutes; }
    /** Minutes a server may take from BUILD to ACTIVE. */
    public int getBootTimeoutMinutes() { return bootTimeoutMinutes; }
    /** Minutes an ACTIVE server's agent may take to connect. */
    public int getConnectTimeoutMinutes() { return connectTimeoutMinutes; }
    /** A build running longer than this on one of these agents is aborted and the agent removed; 0 = no limit. */
    public int getMaxBuildMinutes() { return maxBuildMinutes; }

    public boolean isSingleUse() {
        return idleMinutes == 0;
    }

    public List<String> securityGroupList() {
        return words(securityGroups);
    }

    /** The words of a list separated by commas or white space. */
    static List<String> words(String list) {
        List<String> r = new ArrayList<String>();
        for (String s : Util.fixNull(list).split("[,\\s]+")) {
            if (!s.isEmpty()) {
                r.add(s);
            }
        }
        return r;
    }

    public Set<LabelAtom> labelSet() {
        return Label.parse(labels);
    }

    /** Whether a build asking for {@code label} may run on this template's agents. */
    public boolean matches(Label label) {
        return label == null ? false : label.matches(labelSet());
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AgentTemplate)) {
            return false;
        }
        AgentTemplate t = (AgentTemplate) o;
        return Objects.equals(name, t.name) && labels.equals(t.labels) && Objects.equals(flavor, t.flavor)
                && Objects.equals(image, t.image) && Objects.equals(network, t.network)
                && Objects.equals(keyPair, t.keyPair) && securityGroups.equals(t.securityGroups)
                && Objects.equals(availabilityZone, t.availabilityZone) && userData.equals(t.userData)
                && numExecutors == t.numExecutors && remoteFs.equals(t.remoteFs) && instanceCap == t.instanceCap
                && idleMinutes == t.idleMinutes && bootTimeoutMinutes == t.bootTimeoutMinutes
                && connectTimeoutMinutes == t.connectTimeoutMinutes && maxBuildMinutes == t.maxBuildMinutes
                && launchMethod.equals(t.launchMethod) && sshUser.equals(t.sshUser) && sshPort == t.sshPort
                && Secret.toString(sshPrivateKey).equals(Secret.toString(t.sshPrivateKey))
                && spareAgents == t.spareAgents && spareMaxAgeMinutes == t.spareMaxAgeMinutes
                && extraNetworks.equals(t.extraNetworks) && floatingIpPool.equals(t.floatingIpPool);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, labels, flavor, image);
    }

    @Override
    public String toString() {
        return "AgentTemplate[" + name + ", labels=" + labels + "]";
    }

    @Extension
    public static class DescriptorImpl extends Descriptor<AgentTemplate> {

        @Override
        public String getDisplayName() {
            return "OpenStack agent template";
        }

        /** For config.jelly: whether the core's own {@code f:textarea} checks by POST without eval. */
        public boolean isCurrentCore() {
            return RunningCore.get().isCurrent();
        }

        public ListBoxModel doFillLaunchMethodItems() {
            ListBoxModel m = new ListBoxModel();
            m.add("SSH: the controller connects to the server", SSH);
            m.add("Inbound: the server connects to the controller", INBOUND);
            return m;
        }

        public FormValidation doCheckLaunchMethod(@QueryParameter String value) {
            return FormChecks.launchMethod(INBOUND.equals(value), InboundSecrets.perAgentOnThisCore());
        }

        public FormValidation doCheckSshUser(@QueryParameter String value) {
            return FormChecks.sshUser(value);
        }

        public FormValidation doCheckSshPort(@QueryParameter String value) {
            return FormChecks.SSH_PORT.check(value);
        }

        public FormValidation doCheckSshPrivateKey(@QueryParameter String value, @QueryParameter String keyPair) {
            return FormChecks.sshPrivateKey(Secret.toString(Secret.fromString(value)), keyPair);
        }

        public FormValidation doCheckName(@QueryParameter String value) {
            return FormChecks.name(value, "template");
        }

        public FormValidation doCheckLabels(@QueryParameter String value) {
            return FormChecks.labels(value);
        }

        public FormValidation doCheckFlavor(
                @QueryParameter String value,
                @RelativePath("..") @QueryParameter String authUrl, @RelativePath("..") @QueryParameter String region,
                @RelativePath("..") @QueryParameter boolean verifyTls, @RelativePath("..") @QueryParameter String username,
                @RelativePath("..") @QueryParameter String password, @RelativePath("..") @QueryParameter String projectName,
                @RelativePath("..") @QueryParameter String domainName,
                @RelativePath("..") @QueryParameter String applicationCredentialId,
                @RelativePath("..") @QueryParameter String applicationCredentialSecret) {
            return OpenStackCloud.descriptor().forms().exists(CloudListings.Kind.FLAVOR, value, CloudForms.settings(authUrl, region, verifyTls,
                    username, password, projectName, domainName, applicationCredentialId, applicationCredentialSecret));
        }

        public FormValidation doCheckImage(
                @QueryParameter String value,
                @RelativePath("..") @QueryParameter String authUrl, @RelativePath("..") @QueryParameter String region,
                @RelativePath("..") @QueryParameter boolean verifyTls, @RelativePath("..") @QueryParameter String username,
                @RelativePath("..") @QueryParameter String password, @RelativePath("..") @QueryParameter String projectName,
                @RelativePath("..") @QueryParameter String domainName,
                @RelativePath("..") @QueryParameter String applicationCredentialId,
                @RelativePath("..") @QueryParameter String applicationCredentialSecret) {
            return OpenStackCloud.descriptor().forms().exists(CloudListings.Kind.IMAGE, value, CloudForms.settings(authUrl, region, verifyTls,
                    username, password, projectName, domainName, applicationCredentialId, applicationCredentialSecret));
        }

        public FormValidation doCheckNetwork(
                @QueryParameter String value,
                @RelativePath("..") @QueryParameter String authUrl, @RelativePath("..") @QueryParameter String region,
                @RelativePath("..") @QueryParameter boolean verifyTls, @RelativePath("..") @QueryParameter String username,
                @RelativePath("..") @QueryParameter String password, @RelativePath("..") @QueryParameter String projectName,
                @RelativePath("..") @QueryParameter String domainName,
                @RelativePath("..") @QueryParameter String applicationCredentialId,
                @RelativePath("..") @QueryParameter String applicationCredentialSecret) {
            return OpenStackCloud.descriptor().forms().exists(CloudListings.Kind.NETWORK, value, CloudForms.settings(authUrl, region, verifyTls,
                    username, password, projectName, domainName, applicationCredentialId, applicationCredentialSecret));
        }

        public FormValidation doCheckUserData(@QueryParameter String value, @QueryParameter String launchMethod) {
            return FormChecks.userData(value, !INBOUND.equals(launchMethod));
        }

        public FormValidation doCheckNumExecutors(@QueryParameter String value) {
            return FormChecks.EXECUTORS.check(value);
        }

        public FormValidation doCheckConnectTimeoutMinutes(@QueryParameter String value) {
            return FormChecks.CONNECT_TIMEOUT.check(value);
        }

        public FormValidation doCheckMaxBuildMinutes(@QueryParameter String value) {
            return Util.fixEmptyAndTrim(value) == null ? FormValidation.ok() : FormChecks.MAX_BUILD_MINUTES.check(value);
        }

        public FormValidation doCheckRemoteFs(@QueryParameter String value) {
            return FormChecks.absolutePath(value);
        }

        public FormValidation doCheckInstanceCap(@QueryParameter String value) {
            return FormChecks.INSTANCE_CAP.check(value);
        }

        public FormValidation doCheckSpareAgents(@QueryParameter String value, @QueryParameter String instanceCap) {
            return FormChecks.spareAgents(value, instanceCap);
        }

        public FormValidation doCheckSpareMaxAgeMinutes(@QueryParameter String value) {
            return Util.fixEmptyAndTrim(value) == null ? FormValidation.ok() : FormChecks.SPARE_MAX_AGE.check(value);
        }

        public FormValidation doCheckIdleMinutes(@QueryParameter String value) {
            return FormChecks.IDLE_MINUTES.check(value);
        }

        public FormValidation doCheckBootTimeoutMinutes(@QueryParameter String value) {
            return FormChecks.BOOT_TIMEOUT.check(value);
        }

        public ListBoxModel doFillFlavorItems(
                @RelativePath("..") @QueryParameter String authUrl, @RelativePath("..") @QueryParameter String region,
                @RelativePath("..") @QueryParameter boolean verifyTls, @RelativePath("..") @QueryParameter String username,
                @RelativePath("..") @QueryParameter String password, @RelativePath("..") @QueryParameter String projectName,
                @RelativePath("..") @QueryParameter String domainName,
                @RelativePath("..") @QueryParameter String applicationCredentialId,
                @RelativePath("..") @QueryParameter String applicationCredentialSecret,
                @QueryParameter String flavor) {
            return OpenStackCloud.descriptor().forms().fill(CloudListings.Kind.FLAVOR, flavor, CloudForms.settings(authUrl, region, verifyTls,
                    username, password, projectName, domainName, applicationCredentialId, applicationCredentialSecret));
        }

        public ListBoxModel doFillImageItems(
                @RelativePath("..") @QueryParameter String authUrl, @RelativePath("..") @QueryParameter String region,
                @RelativePath("..") @QueryParameter boolean verifyTls, @RelativePath("..") @QueryParameter String username,
                @RelativePath("..") @QueryParameter String password, @RelativePath("..") @QueryParameter String projectName,
                @RelativePath("..") @QueryParameter String domainName,
                @RelativePath("..") @QueryParameter String applicationCredentialId,
                @RelativePath("..") @QueryParameter String applicationCredentialSecret,
                @QueryParameter String image) {
            return OpenStackCloud.descriptor().forms().fill(CloudListings.Kind.IMAGE, image, CloudForms.settings(authUrl, region, verifyTls,
                    username, password, projectName, domainName, applicationCredentialId, applicationCredentialSecret));
        }

        public ListBoxModel doFillNetworkItems(
                @RelativePath("..") @QueryParameter String authUrl, @RelativePath("..") @QueryParameter String region,
                @RelativePath("..") @QueryParameter boolean verifyTls, @RelativePath("..") @QueryParameter String username,
                @RelativePath("..") @QueryParameter String password, @RelativePath("..") @QueryParameter String projectName,
                @RelativePath("..") @QueryParameter String domainName,
                @RelativePath("..") @QueryParameter String applicationCredentialId,
                @RelativePath("..") @QueryParameter String applicationCredentialSecret,
                @QueryParameter String network) {
            return OpenStackCloud.descriptor().forms().fill(CloudListings.Kind.NETWORK, network, CloudForms.settings(authUrl, region, verifyTls,
                    username, password, projectName, domainName, applicationCredentialId, applicationCredentialSecret));
        }

        public FormValidation doCheckSecurityGroups(
                @QueryParameter String value,
                @RelativePath("..") @QueryParameter String authUrl, @RelativePath("..") @QueryParameter String region,
                @RelativePath("..") @QueryParameter boolean verifyTls, @RelativePath("..") @QueryParameter String username,
                @RelativePath("..") @QueryParameter String password, @RelativePath("..") @QueryParameter String projectName,
                @RelativePath("..") @QueryParameter String domainName,
                @RelativePath("..") @QueryParameter String applicationCredentialId,
                @RelativePath("..") @QueryParameter String applicationCredentialSecret) {
            return OpenStackCloud.descriptor().forms().allNamed(CloudListings.Kind.SECURITY_GROUP, value, CloudForms.settings(authUrl, region, verifyTls,
                    username, password, projectName, domainName, applicationCredentialId, applicationCredentialSecret));
        }

        public FormValidation doCheckFloatingIpPool(
                @QueryParameter String value,
                @RelativePath("..") @QueryParameter String authUrl, @RelativePath("..") @QueryParameter String region,
                @RelativePath("..") @QueryParameter boolean verifyTls, @RelativePath("..") @QueryParameter String username,
                @RelativePath("..") @QueryParameter String password, @RelativePath("..") @QueryParameter String projectName,
                @RelativePath("..") @QueryParameter String domainName,
                @RelativePath("..") @QueryParameter String applicationCredentialId,
                @RelativePath("..") @QueryParameter String applicationCredentialSecret) {
            return OpenStackCloud.descriptor().forms().exists(CloudListings.Kind.EXTERNAL_NETWORK, value, CloudForms.settings(authUrl, region, verifyTls,
                    username, password, projectName, domainName, applicationCredentialId, applicationCredentialSecret));
        }

        public ListBoxModel doFillFloatingIpPoolItems(
                @RelativePath("..") @QueryParameter String authUrl, @RelativePath("..") @QueryParameter String region,
                @RelativePath("..") @QueryParameter boolean verifyTls, @RelativePath("..") @QueryParameter String username,
                @RelativePath("..") @QueryParameter String password, @RelativePath("..") @QueryParameter String projectName,
                @RelativePath("..") @QueryParameter String domainName,
                @RelativePath("..") @QueryParameter String applicationCredentialId,
                @RelativePath("..") @QueryParameter String applicationCredentialSecret,
                @QueryParameter String floatingIpPool) {
            return OpenStackCloud.descriptor().forms().fill(CloudListings.Kind.EXTERNAL_NETWORK, floatingIpPool, CloudForms.settings(authUrl, region, verifyTls,
                    username, password, projectName, domainName, applicationCredentialId, applicationCredentialSecret));
        }
    }
}
