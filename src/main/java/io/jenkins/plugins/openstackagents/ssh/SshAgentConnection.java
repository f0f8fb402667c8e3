package io.jenkins.plugins.openstackagents.ssh;

import hudson.model.TaskListener;
import hudson.remoting.Which;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.auth.pubkey.UserAuthPublicKeyFactory;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.config.keys.KeyUtils;

/**
 * One SSH connection to one agent: its own {@link SshClient} (and so its own NIO2 threads: five, all ended by
 * {@link #close}), a session, the exec channel running the agent. Not read by Stapler: lambdas allowed.
 */
final class SshAgentConnection implements AutoCloseable {

    /**
     * MINA logs a refused host key at WARNING with its own words, and every reset connection of a server still
     * booting; this plugin says what happened in one line of its own. Held: java.util.logging keeps loggers weakly.
     */
    private static final java.util.logging.Logger MINA = java.util.logging.Logger.getLogger("org.apache.sshd");

    static {
        if (MINA.getLevel() == null) {
            MINA.setLevel(java.util.logging.Level.SEVERE);
        }
    }

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    static final Duration AUTH_TIMEOUT = Duration.ofSeconds(15);
    static final Duration COPY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration AGENT_EXIT_WAIT = Duration.ofSeconds(5);

    /** The server presented another host key than the one expected: nothing was sent to it. */
    static final class HostKeyMismatch extends IOException {
        HostKeyMismatch(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final SshClient client;
    private final ClientSession session;
    private volatile ChannelExec agent;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    private SshAgentConnection(SshClient client, ClientSession session) {
        this.client = client;
        this.session = session;
    }

    static SshAgentConnection open(String agentName, String host, int port, String user, PublicKey expected,
            KeyPair login, TaskListener listener) throws IOException {
        AtomicReference<String> mismatch = new AtomicReference<>();
        SshClient client = SshClient.setUpDefaultClient();
        // strict: the one key configured, compared in full; no known_hosts file, no accept-on-first-use
        client.setServerKeyVerifier((ClientSession s, SocketAddress remote, PublicKey offered) -> {
            if (KeyUtils.compareKeys(expected, offered)) {
                return true;
            }
            mismatch.compareAndSet(null, "SSH launch of agent " + agentName + " refused: " + host + ":" + port
                    + " presented host key " + KeyUtils.getFingerPrint(offered) + ", expected "
                    + KeyUtils.getFingerPrint(expected));
            return false;
        });
        // nothing from the Jenkins user's ~/.ssh: no keys (id_*), no ~/.ssh/config (which could change host, port,
        // user or identity), and only public key authentication
        client.setKeyIdentityProvider(null);
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        // offer only host key algorithms of the expected key's type: otherwise a server with several host keys (an
        // OpenStack image has rsa, ecdsa and ed25519) may negotiate another type than the one expected, and the
        // strict comparison fails although the server is the right one. The client's signature factories also sign
        // the public key login: that keeps the full list (else an EC login key cannot sign when the host key is RSA:
        // "No more authentication methods available").
        java.util.List<NamedFactory<Signature>> all = client.getSignatureFactories();
        client.setUserAuthFactories(java.util.List.of(new UserAuthPublicKeyFactory(all)));
        client.setSignatureFactories(signaturesFor(expected, all));
        // the agent's channel is many small requests and answers (remote class loading): without this each may wait
        // for a delayed ACK, and a first build takes seconds longer
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(client, true);
        client.start();
        boolean ok = false;
        try {
            listener.getLogger().println("SSH: connecting to " + user + "@" + host + ":" + port);
            long t0 = System.currentTimeMillis();
            ClientSession session = client.connect(user, host, port).verify(CONNECT_TIMEOUT).getSession();
            try {
                session.addPublicKeyIdentity(login);
                session.auth().verify(AUTH_TIMEOUT);
            } catch (IOException e) {
                session.close(true);
                if (mismatch.get() != null) {
                    throw new HostKeyMismatch(mismatch.get(), e);
                }
                throw e;
            }
            listener.getLogger().println("SSH: authenticated in " + (System.currentTimeMillis() - t0)
                    + " ms, server key " + KeyUtils.getFingerPrint(expected));
            ok = true;
            return new SshAgentConnection(client, session);
        } catch (IOException e) {
            if (mismatch.get() != null && !(e instanceof HostKeyMismatch)) {
                throw new HostKeyMismatch(mismatch.get(), e);
            }
            throw e;
        } finally {
            if (!ok) {
                stop(client);
            }
        }
    }

    /** Copies the controller's agent jar to {@code dir/slave.jar} with {@code cat} on an exec channel. */
    void copyAgentJar(String dir, TaskListener listener) throws IOException {
        File jar = Which.jarFile(hudson.remoting.Launcher.class);
        byte[] bytes = Files.readAllBytes(jar.toPath());
        String q = quote(dir);
        long t0 = System.currentTimeMillis();
        // beside its final name, then renamed: an agent already running from this folder (servers sharing a home)
        // keeps the jar it has open
        try (ChannelExec copy = session.createExecChannel("mkdir -p " + q + " && cat > " + q + "/slave.jar.$$ && mv -f "
                + q + "/slave.jar.$$ " + q + "/slave.jar")) {
            copy.setIn(new ByteArrayInputStream(bytes)); // pumped, then EOF
            copy.setErr(new NoClose(listener.getLogger()));
            copy.setOut(new NoClose(listener.getLogger()));
            copy.open().verify(COPY_TIMEOUT);
            Set<ClientChannelEvent> ev = copy.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), COPY_TIMEOUT);
            Integer status = copy.getExitStatus();
            if (ev.contains(ClientChannelEvent.TIMEOUT) || status == null || status != 0) {
                throw new IOException("SSH: copying the agent jar to " + dir + " failed: exit status " + status
                        + ", events " + ev);
            }
        }
        listener.getLogger().println("SSH: copied " + jar.getName() + " (" + bytes.length + " bytes) to " + dir
                + "/slave.jar in " + (System.currentTimeMillis() - t0) + " ms");
    }

    /** Runs the agent; its stdin and stdout are then {@link #agentStdin} and {@link #agentStdout}. */
    void startAgent(String dir, String java, TaskListener listener) throws IOException {
        ChannelExec c = session.createExecChannel("cd " + quote(dir) + " && exec " + quote(java)
                + " -jar slave.jar");
        c.setErr(new NoClose(listener.getLogger()));
        c.open().verify(CONNECT_TIMEOUT);
        agent = c;
    }

    InputStream agentStdout() {
        return agent.getInvertedOut();
    }

    OutputStream agentStdin() {
        return agent.getInvertedIn();
    }

    /**
     * Lets the agent end first (it does once Hudson's channel sent its close command), then closes the session and
     * stops the client. Closing at once would cut the remoting channel before the agent's reply: Hudson logs
     * "SEVERE: I/O error in channel ... Unexpected termination of the channel" on every disconnect.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        ChannelExec a = agent;
        if (a != null && !a.isClosed()) {
            a.waitFor(EnumSet.of(ClientChannelEvent.CLOSED, ClientChannelEvent.EXIT_STATUS), AGENT_EXIT_WAIT);
            a.close(true);
        }
        session.close(true);
        stop(client);
    }

    private static void stop(SshClient client) {
        try {
            client.stop(); // closes sessions, shuts the NIO2 group and the timer down
        } catch (RuntimeException e) {
            // closing anyway
        }
    }

    /** The signature algorithms that can prove possession of a host key of {@code expected}'s type. */
    static java.util.List<NamedFactory<Signature>> signaturesFor(PublicKey expected,
            java.util.List<NamedFactory<Signature>> all) throws IOException {
        String type = KeyUtils.getKeyType(expected);
        java.util.List<NamedFactory<Signature>> fit = new java.util.ArrayList<>();
        for (NamedFactory<Signature> f : all) {
            String n = f.getName();
            if (n.equals(type) || ("ssh-rsa".equals(type) && n.startsWith("rsa-sha2-") && !n.contains("-cert-"))) {
                fit.add(f);
            }
        }
        if (fit.isEmpty()) {
            throw new IOException("host key type " + type + " is not supported by this SSH client (ssh-ed25519"
                    + " needs net.i2p.crypto:eddsa or Bouncy Castle on the class path)");
        }
        return fit;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** The launch log outlives the channels MINA closes. */
    private static final class NoClose extends FilterOutputStream {
        NoClose(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
