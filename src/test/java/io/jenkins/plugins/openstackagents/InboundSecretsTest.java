package io.jenkins.plugins.openstackagents;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import hudson.slaves.SlaveComputer;
import org.junit.Test;

/**
 * Where the core's computer class offers {@code getJnlpMac()} (current Jenkins), an inbound agent gets a secret of
 * its own, {@code JnlpAgentReceiver.SLAVE_SECRET.mac(name)}; on Hudson 1.395, which has neither, the controller's key.
 */
public class InboundSecretsTest {

    /** A computer class as current Jenkins has it. */
    public static class ComputerWithJnlpMac {
        public String getJnlpMac() {
            return Receiver.SLAVE_SECRET.mac("?");
        }
    }

    /** As {@code jenkins.slaves.JnlpAgentReceiver}: a static HMAC keyed by a secret of the controller. */
    public static final class Receiver {
        public static final Mac SLAVE_SECRET = new Mac();
    }

    public static final class Mac {
        public String mac(String message) {
            return Integer.toHexString(("controller-only:" + message).hashCode());
        }
    }

    @Test
    public void aCoreWithGetJnlpMacGivesEachAgentItsOwnSecret() {
        InboundSecrets s = new InboundSecrets(ComputerWithJnlpMac.class, Receiver.class.getName());
        assertTrue(s.perAgent());
        assertEquals(new Mac().mac("os-linux-abc123"), s.secretFor("os-linux-abc123"));
        assertNotEquals(s.secretFor("os-linux-abc123"), s.secretFor("os-linux-def456"));
    }

    @Test
    public void hudson1395HasNoPerAgentSecret() {
        assertFalse(new InboundSecrets(SlaveComputer.class, InboundSecrets.RECEIVER).perAgent());
    }

    @Test(expected = IllegalStateException.class)
    public void aCoreWithGetJnlpMacButNoReceiverRefusesRatherThanHandOutTheControllersKey() {
        new InboundSecrets(ComputerWithJnlpMac.class, "no.such.Receiver").secretFor("a");
    }
}
