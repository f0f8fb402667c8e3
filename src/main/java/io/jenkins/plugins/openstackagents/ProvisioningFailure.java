package io.jenkins.plugins.openstackagents;

/**
 * An expected reason why an agent could not be started (quota, boot timeout, bad template). Jenkins logs the
 * failure of a planned node with its exception: this one carries a sentence and no stack trace.
 */
final class ProvisioningFailure extends Exception {

    private static final long serialVersionUID = 1L;

    ProvisioningFailure(String message) {
        super(message, null, false, false);
    }

    @Override
    public String toString() {
        return getMessage();
    }
}
