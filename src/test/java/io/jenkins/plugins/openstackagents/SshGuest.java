package io.jenkins.plugins.openstackagents;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.jenkins.plugins.openstackagents.ssh.SshKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * Plays what cloud-init and OpenSSH do on a server whose user data is a cloud-config: an SSH daemon (MINA
 * {@link SshServer}) on the server's address, proving the host key the cloud-config installs ({@code ssh_keys}) and
 * accepting only the {@code ssh_authorized_keys} of its users; each exec request runs with {@code sh -c} here. Test
 * code.
 */
final class SshGuest implements AutoCloseable {

    private static final YAMLMapper YAML = new YAMLMapper();

    private final SshServer sshd;
    private final Set<Process> processes = ConcurrentHashMap.newKeySet();
    private final String javaBin;
    /** Where each command runs: {@code sh -c CMD}, or that inside a mount namespace with the guest's own disk. */
    private final java.util.function.Function<String, List<String>> shell;

    static boolean isCloudConfig(String userData) {
        return userData.startsWith("#cloud-config");
    }

    /** What a cloud-config installs: the host key pair and the authorized keys per user. */
    record Config(KeyPair hostKey, Map<String, List<PublicKey>> authorized) {
        static Config parse(String userData) throws IOException {
            JsonNode root = YAML.readTree(userData);
            KeyPair host = SshKeys.parsePrivateKey(root.path("ssh_keys").path("ecdsa_private").asText());
            Map<String, List<PublicKey>> users = new ConcurrentHashMap<>();
            for (JsonNode u : root.path("users")) {
                if (!u.isObject()) {
                    continue; // "default"
                }
                List<PublicKey> keys = new ArrayList<>();
                for (JsonNode k : u.path("ssh_authorized_keys")) {
                    keys.add(SshKeys.parsePublicKey(k.asText()));
                }
                users.put(u.path("name").asText(), keys);
            }
            return new Config(host, users);
        }
    }

    /**
     * @param hostKey the key the daemon proves: the cloud-config's, or another to play an impostor
     */
    SshGuest(String address, int port, KeyPair hostKey, Map<String, List<PublicKey>> authorized, String javaBin,
            java.util.function.Function<String, List<String>> shell) throws IOException {
        if (!address.startsWith("127.")) {
            throw new IOException("test guests listen on 127.0.0.0/8 only, not " + address);
        }
        this.javaBin = javaBin;
        this.shell = shell;
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost(address);
        sshd.setPort(port);
        sshd.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        sshd.setPublickeyAuthenticator((user, key, session) -> {
            for (PublicKey k : authorized.getOrDefault(user, List.of())) {
                if (KeyUtils.compareKeys(k, key)) {
                    return true;
                }
            }
            return false;
        });
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setCommandFactory((channel, command) -> new ProcessCommand(command));
        // without it the agent's many small answers wait for delayed ACKs: a first build took 4.8 s instead of 0.6 s
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(sshd, true);
        sshd.start();
    }

    @Override
    public void close() {
        try {
            sshd.stop(true);
        } catch (IOException e) {
            // stopping anyway
        }
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** Runs an exec request with sh -c; stdin, stdout and stderr pass through, flushed chunk by chunk. */
    private final class ProcessCommand implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private Process process;

        ProcessCommand(String command) {
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            ProcessBuilder pb = new ProcessBuilder(shell.apply(command));
            pb.environment().put("PATH", javaBin + java.io.File.pathSeparator + System.getenv("PATH"));
            Process p = pb.start();
            process = p;
            processes.add(p);
            pump(in, p.getOutputStream(), true);
            Thread stdout = pump(p.getInputStream(), out, false);
            Thread stderr = pump(p.getErrorStream(), err, false);
            Thread waiter = new Thread(() -> {
                int code = 255;
                try {
                    code = p.waitFor();
                    stdout.join();
                    stderr.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    processes.remove(p);
                    exit.onExit(code);
                }
            }, "ssh-guest-wait");
            waiter.setDaemon(true);
            waiter.start();
        }

        private Thread pump(InputStream from, OutputStream to, boolean closeAtEof) {
            Thread t = new Thread(() -> {
                byte[] buf = new byte[8192];
                try {
                    int n;
                    while ((n = from.read(buf)) >= 0) {
                        to.write(buf, 0, n);
                        to.flush();
                    }
                } catch (IOException e) {
                    // the channel or the process ended
                } finally {
                    if (closeAtEof) {
                        try {
                            to.close();
                        } catch (IOException e) {
                            // gone
                        }
                    }
                }
            }, "ssh-guest-pump");
            t.setDaemon(true);
            t.start();
            return t;
        }

        @Override
        public void destroy(ChannelSession channel) {
            if (process != null) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        }
    }
}
