package io.jenkins.plugins.openstackagents;

import hudson.model.Hudson;
import hudson.slaves.SlaveComputer;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.logging.Logger;

/**
 * The secret an inbound agent presents when it connects.
 *
 * <p>On the Hudson 1.395 core this plugin builds against, the inbound (JNLP) protocol checks one secret for every
 * agent: the controller's secret key. Current Jenkins checks a per-agent secret instead,
 * {@code SlaveComputer.getJnlpMac()}, which is {@code JnlpAgentReceiver.SLAVE_SECRET.mac(name)}: where the core's
 * computer class has that method, the per-agent secret is used, computed from the agent's name (the user data is
 * written before the agent's computer exists), all found by reflection so that the plugin still builds on 1.395.
 * The value goes only into the user data of the agent's own server and is never logged.
 */
final class InboundSecrets {

    private static final Logger LOGGER = Logger.getLogger(InboundSecrets.class.getName());
    static final String RECEIVER = "jenkins.slaves.JnlpAgentReceiver";

    private final Class<?> computerClass;
    private final String receiverClass;

    InboundSecrets(Class<?> computerClass, String receiverClass) {
        this.computerClass = computerClass;
        this.receiverClass = receiverClass;
    }

    /** This core's. */
    static String secret(String agentName) {
        return new InboundSecrets(SlaveComputer.class, RECEIVER).secretFor(agentName);
    }

    /** Whether this core checks a secret per inbound agent. */
    static boolean perAgentOnThisCore() {
        return new InboundSecrets(SlaveComputer.class, RECEIVER).perAgent();
    }

    /** Whether the core checks a secret per agent ({@code getJnlpMac()}), not the controller's key. */
    boolean perAgent() {
        try {
            computerClass.getMethod("getJnlpMac");
            return true;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }

    String secretFor(String agentName) {
        if (!perAgent()) {
            return Hudson.getInstance().getSecretKey(); // Hudson 1.395: the one secret of every agent
        }
        try {
            Class<?> receiver = Class.forName(receiverClass, true, computerClass.getClassLoader());
            Field f = receiver.getField("SLAVE_SECRET");
            Object hmac = f.get(null);
            Method mac = hmac.getClass().getMethod("mac", String.class);
            return (String) mac.invoke(hmac, agentName);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a core with getJnlpMac() but another way to compute it: the agent would be refused, so say so
            LOGGER.warning("This core checks a secret per inbound agent, but " + receiverClass
                    + ".SLAVE_SECRET.mac(name) could not be called (" + e + "); inbound agents will be refused");
            throw new IllegalStateException("no per-agent inbound secret on this core", e);
        }
    }
}
