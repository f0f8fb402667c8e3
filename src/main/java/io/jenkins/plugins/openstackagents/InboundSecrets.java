package io.jenkins.plugins.openstackagents;

import hudson.model.Hudson;

/**
 * The secret an inbound agent presents when it connects.
 *
 * <p>On the Hudson 1.395 core this plugin builds against, the inbound (JNLP) protocol checks one secret for every
 * agent: the controller's secret key. Current Jenkins checks a per-agent secret instead
 * ({@code JnlpAgentReceiver.SLAVE_SECRET.mac(name)}); this is the one place to change when the build target
 * moves. The value goes only into the user data of the agent's own server and is never logged.
 */
final class InboundSecrets {

    private InboundSecrets() {
    }

    /** The same for every agent on Hudson 1.395: the controller's key (a per-agent one comes with SSH agents). */
    static String secret() {
        return Hudson.getInstance().getSecretKey();
    }
}
