package io.jenkins.plugins.openstackagents.ssh;

import hudson.Extension;
import hudson.model.Descriptor;
import hudson.model.Slave;
import hudson.model.TaskListener;
import hudson.remoting.Channel;
import hudson.slaves.ComputerLauncher;
import hudson.slaves.SlaveComputer;
import hudson.util.Secret;
import java.io.IOException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.logging.Logger;

/**
 * Starts an agent over SSH (Apache MINA sshd): connects to the address its node reports ({@link Target}), accepts
 * the server only if it proves the host key this launcher was given when the server was created (no trust on first
 * use), logs in with the agent's own login key, copies the controller's agent jar into the node's remote FS root and
 * runs it there with {@code java -jar}, the exec channel's streams being the remoting channel.
 *
 * <p>One per agent, saved with the node: the login private key as a {@link Secret}, the host key public only. It
 * never throws for a server that cannot be reached or refuses: it says why in the launch log and keeps the outcome
 * ({@link #lastFailure()}, {@link #hostKeyRefusal()}) for whoever waits for the agent, which decides what to do.
 * Stapler reads this class: no lambdas here (the SSH work is in {@link SshAgentConnection}).
 */
public class SshLauncher extends ComputerLauncher {

    private static final Logger LOGGER = Logger.getLogger(SshLauncher.class.getName());

    /** A node an SSH agent runs on: where to reach it, as its cloud reports it (null: not known yet). */
    public interface Target {
        String sshAddress();
    }

    private final String user;
    private final int port;
    /** The server's host key, one OpenSSH public key line. */
    private final String hostKey;
    /** The login key pair's private half, in the OpenSSH format. */
    private final Secret loginKey;

    private transient volatile SshAgentConnection connection;
    private transient volatile String lastFailure;
    private transient volatile String hostKeyRefusal;

    public SshLauncher(String user, int port, String hostKey, Secret loginKey) {
        this.user = user;
        this.port = port;
        this.hostKey = hostKey;
        this.loginKey = loginKey;
    }

    public String getUser() {
        return user;
    }

    public int getPort() {
        return port;
    }

    public String getHostKey() {
        return hostKey;
    }

    /** Why the last launch did not bring the agent online, or null (never tried, or online). */
    public String lastFailure() {
        return lastFailure;
    }

    /** Set once the server presented another host key than this launcher's: it is not the server it expects. */
    public String hostKeyRefusal() {
        return hostKeyRefusal;
    }

    @Override
    public boolean isLaunchSupported() {
        return true;
    }

    @Override
    public void launch(SlaveComputer computer, TaskListener listener) throws IOException, InterruptedException {
        closeConnection();
        Slave node = computer.getNode();
        String host = node instanceof Target ? ((Target) node).sshAddress() : null;
        if (host == null) {
            fail(listener, "SSH: the cloud reports no address for this agent's server yet");
            return;
        }
        if (hostKeyRefusal != null) {
            fail(listener, hostKeyRefusal);
            return;
        }
        long started = System.currentTimeMillis();
        SshAgentConnection c;
        try {
            PublicKey expected = SshKeys.parsePublicKey(hostKey);
            KeyPair login = SshKeys.parsePrivateKey(Secret.toString(loginKey));
            c = SshAgentConnection.open(computer.getName(), host, port, user, expected, login, listener);
        } catch (SshAgentConnection.HostKeyMismatch e) {
            hostKeyRefusal = e.getMessage();
            fail(listener, e.getMessage());
            return;
        } catch (IOException e) {
            // not listening yet (a server that is still booting), or refused the login: its waiter retries
            fail(listener, "SSH: " + user + "@" + host + ":" + port + " not reached: " + describe(e));
            return;
        }
        connection = c;
        boolean ok = false;
        try {
            c.copyAgentJar(node.getRemoteFS(), listener);
            c.startAgent(node.getRemoteFS(), "java", listener);
            final SshAgentConnection closing = c;
            computer.setChannel(c.agentStdout(), c.agentStdin(), listener, new Channel.Listener() {
                @Override
                public void onClosed(Channel channel, IOException cause) {
                    closing.close();
                }
            });
            ok = true;
            lastFailure = null;
            listener.getLogger().println("SSH: agent online " + (System.currentTimeMillis() - started)
                    + " ms after the connection began");
        } catch (IOException e) {
            fail(listener, "SSH: the agent did not start on " + host + ": " + describe(e));
        } finally {
            if (!ok) {
                closeConnection();
            }
        }
    }

    private void fail(TaskListener listener, String why) {
        lastFailure = why;
        listener.error(why);
        LOGGER.fine(why);
    }

    /** The exception's own words and those of its causes, without a stack trace (and never a key). */
    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 400; t = t.getCause()) {
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(t.getMessage() != null ? t.getMessage() : t.getClass().getSimpleName());
        }
        return sb.toString();
    }

    @Override
    public void afterDisconnect(SlaveComputer computer, TaskListener listener) {
        closeConnection();
    }

    private void closeConnection() {
        SshAgentConnection c = connection;
        connection = null;
        if (c != null) {
            c.close();
        }
    }

    @Extension
    public static final class DescriptorImpl extends Descriptor<ComputerLauncher> {
        @Override
        public String getDisplayName() {
            return "OpenStack agent over SSH (set by its template)";
        }
    }
}
