package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.model.Descriptor;
import hudson.model.Hudson;
import hudson.model.Node;
import hudson.model.Queue;
import hudson.model.TaskListener;
import hudson.model.queue.CauseOfBlockage;
import hudson.slaves.AbstractCloudSlave;
import hudson.slaves.ComputerLauncher;
import hudson.slaves.JNLPLauncher;
import hudson.slaves.NodeProperty;
import hudson.slaves.Cloud;
import io.jenkins.plugins.openstackagents.ssh.SshLauncher;
import java.io.IOException;
import java.util.Collections;
import java.util.logging.Logger;

/**
 * An agent running on an OpenStack server: launched over SSH by its {@link SshLauncher}, or inbound (the server's user
 * data starts the agent, which connects to Jenkins). Saved with the Jenkins configuration, so the server is found
 * again after a restart.
 */
public class OpenStackAgent extends AbstractCloudSlave implements SshLauncher.Target {

    private static final long serialVersionUID = 1L;
    private static final Logger LOGGER = Logger.getLogger(OpenStackAgent.class.getName());

    private final String cloudName;
    private final String templateName;
    private final String serverId;
    private final int idleMinutes;
    private final int connectTimeoutMinutes;
    private final int maxBuildMinutes;
    /** A build has started on it; saved, so that a single-use agent stays used across a restart. */
    private volatile boolean used;
    /** Why it is to be deleted, or null; saved, so that a restart neither forgets nor re-decides it. */
    private volatile String deletionReason;
    /** The server's address as Nova reported it once ACTIVE (what an SSH launch connects to); null before. */
    private volatile String address;
    /** The Glance image its server was created from (the template may name an image that changes); null before. */
    private volatile String imageId;

    /** An inbound agent. */
    public OpenStackAgent(String name, String cloudName, AgentTemplate template, String serverId)
            throws Descriptor.FormException, IOException {
        this(name, cloudName, template, serverId, new JNLPLauncher());
    }

    public OpenStackAgent(String name, String cloudName, AgentTemplate template, String serverId,
            ComputerLauncher launcher) throws Descriptor.FormException, IOException {
        super(name, "OpenStack server " + serverId + " of cloud " + cloudName + ", template " + template.getName(),
                template.getRemoteFs(), template.executorsPerAgent(), Node.Mode.EXCLUSIVE,
                template.getLabels(), launcher, new OpenStackRetentionStrategy(),
                Collections.<NodeProperty<?>>emptyList());
        this.cloudName = cloudName;
        this.templateName = template.getName();
        this.serverId = serverId;
        this.idleMinutes = template.getIdleMinutes();
        this.connectTimeoutMinutes = template.getConnectTimeoutMinutes();
        this.maxBuildMinutes = template.getMaxBuildMinutes();
    }

    public String getCloudName() { return cloudName; }
    public String getTemplateName() { return templateName; }
    public String getServerId() { return serverId; }
    public int getIdleMinutes() { return idleMinutes; }
    public int getConnectTimeoutMinutes() {
        return connectTimeoutMinutes > 0 ? connectTimeoutMinutes : AgentTemplate.DEFAULT_CONNECT_TIMEOUT_MINUTES;
    }
    /** 0 = no limit. */
    public int getMaxBuildMinutes() { return maxBuildMinutes; }

    public boolean isSingleUse() {
        return idleMinutes == 0;
    }

    @Override
    public String sshAddress() {
        return address;
    }

    /** The address Nova reports for the server; saved, so that a restart can connect again. */
    void setAddress(String address) {
        this.address = address;
        try {
            RunningCore.saveNode(this);
        } catch (IOException e) {
            LOGGER.warning("Could not save the address of agent " + getNodeName() + ": " + e);
        }
    }

    /** The id of the image its server was created from; null for agents created before this was kept. */
    public String getImageId() {
        return imageId;
    }

    /** Set before the agent is added to Jenkins, which saves it. */
    void setImageId(String imageId) {
        this.imageId = imageId;
    }

    /** The SSH launcher of this agent, or null for an inbound one. */
    public SshLauncher sshLauncher() {
        return getLauncher() instanceof SshLauncher ? (SshLauncher) getLauncher() : null;
    }

    public boolean isUsed() {
        return used;
    }

    /** Records that a build started here; for a single-use agent, saved at once (a restart must not forget it). */
    void markUsed() {
        if (used) {
            return;
        }
        used = true;
        if (isSingleUse()) {
            try {
                RunningCore.saveNode(this);
            } catch (IOException e) {
                LOGGER.warning("Could not save that agent " + getNodeName() + " was used: " + e);
            }
        }
    }

    /** Why this agent is to be deleted, or null. */
    public String getDeletionReason() {
        return deletionReason;
    }

    /** Records why the agent is to be deleted, and saves it; only the first reason counts (returns false then). */
    boolean markForDeletion(String reason) {
        synchronized (this) {
            if (deletionReason != null) {
                return false;
            }
            deletionReason = reason;
        }
        try {
            RunningCore.saveNode(this);
        } catch (IOException e) {
            LOGGER.warning("Could not save that agent " + getNodeName() + " is to be deleted: " + e);
        }
        return true;
    }

    public OpenStackCloud getCloud() {
        Cloud c = Hudson.getInstance().getCloud(cloudName);
        return c instanceof OpenStackCloud ? (OpenStackCloud) c : null;
    }

    @Override
    public OpenStackComputer createComputer() {
        return new OpenStackComputer(this);
    }

    /** A single-use agent takes no second build, and an agent marked for deletion takes none (Hudson 1.395). */
    @Override
    public CauseOfBlockage canTake(Queue.Task task) {
        CauseOfBlockage own = ownBlockage();
        return own != null ? own : super.canTake(task);
    }

    /**
     * The same for current Jenkins, whose queue calls only this overload (since 1.413; there {@code canTake(Task)}
     * is deprecated and never called). The core's own checks (label, mode, build permission, node properties) are
     * {@code Node.canTake(BuildableItem)}, called as the super method through a method handle, because Hudson 1.395,
     * which this plugin compiles against, has no such method; there the task overload's checks are used.
     */
    public CauseOfBlockage canTake(Queue.BuildableItem item) {
        CauseOfBlockage own = ownBlockage();
        if (own != null) {
            return own;
        }
        java.lang.invoke.MethodHandle core = coreCanTake();
        if (core == null) {
            return super.canTake(item.task);
        }
        try {
            return (CauseOfBlockage) core.invoke(this, item);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static volatile java.util.Optional<java.lang.invoke.MethodHandle> coreCanTake;

    /** Node's canTake(BuildableItem) as this class's super method, or null on a core without it. */
    private static java.lang.invoke.MethodHandle coreCanTake() {
        java.util.Optional<java.lang.invoke.MethodHandle> h = coreCanTake;
        if (h == null) {
            try {
                h = java.util.Optional.of(java.lang.invoke.MethodHandles.lookup().findSpecial(AbstractCloudSlave.class,
                        "canTake", java.lang.invoke.MethodType.methodType(CauseOfBlockage.class,
                                Queue.BuildableItem.class), OpenStackAgent.class));
            } catch (NoSuchMethodException | IllegalAccessException e) {
                h = java.util.Optional.empty();
            }
            coreCanTake = h;
        }
        return h.orElse(null);
    }

    /** This plugin's reasons for an agent to take no build, or null. */
    private CauseOfBlockage ownBlockage() {
        OpenStackComputer c = (OpenStackComputer) toComputer();
        if (c != null && c.getDeletionReason() != null) {
            return new CauseOfBlockage() {
                @Override
                public String getShortDescription() {
                    return "Agent " + getNodeName() + " is being deleted";
                }
            };
        }
        if (c != null && isSingleUse() && c.isUsed()) {
            return new CauseOfBlockage() {
                @Override
                public String getShortDescription() {
                    return "Agent " + getNodeName() + " is single-use and has run its build";
                }
            };
        }
        return null;
    }

    /** Deletes the server (Nova keeps counting it against quota until it is gone; the cloud tracks that). */
    @Override
    protected void _terminate(TaskListener listener) throws IOException, InterruptedException {
        OpenStackCloud cloud = getCloud();
        OpenStackComputer c = (OpenStackComputer) toComputer();
        String reason = c != null && c.getDeletionReason() != null ? c.getDeletionReason() : "agent removed";
        if (cloud == null) {
            LOGGER.warning("Cannot delete server " + serverId + " of agent " + getNodeName() + ": cloud " + cloudName
                    + " no longer exists");
            return;
        }
        // watched until Nova has dropped it, so that its quota is free at once, not on the next cleanup pass
        AgentTemplate t = cloud.getTemplate(templateName);
        cloud.runtime().release(getNodeName(), templateName, serverId, t == null ? null : t.getFlavor(), reason);
    }

    @Extension
    public static final class DescriptorImpl extends SlaveDescriptor {
        @Override
        public String getDisplayName() {
            return "OpenStack agent";
        }

        /** Created by a cloud only, never by hand. */
        @Override
        public boolean isInstantiable() {
            return false;
        }
    }
}
