package io.jenkins.plugins.openstackagents;

import io.jenkins.plugins.openstackagents.ssh.SshKeys;
import java.io.File;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;

/**
 * A guest's SSH daemon played by the machine's real OpenSSH ({@code /usr/sbin/sshd}, Debian's openssh-server, which
 * {@code .ci/run} installs): its own configuration, listening on the server's loopback address only, with the host key
 * and authorized keys the cloud-config installs, as cloud-init would hand them to it. Logins are as root (the only
 * user sure to exist on the test machine), so a test template's SSH user is root. Test code.
 */
final class OpenSshGuest implements AutoCloseable {

    static final File SSHD = new File("/usr/sbin/sshd");

    private final Process sshd;

    OpenSshGuest(File dir, String address, int port, SshGuest.Config config, String javaBin) throws IOException {
        if (!address.startsWith("127.")) {
            throw new IOException("test guests listen on 127.0.0.0/8 only, not " + address);
        }
        Files.createDirectories(dir.toPath());
        // sshd's privilege separation directory, which the package's service would make at its start
        Files.createDirectories(new File("/run/sshd").toPath());
        File hostKey = new File(dir, "ssh_host_ecdsa_key");
        Files.deleteIfExists(hostKey.toPath());
        Files.createFile(hostKey.toPath(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(hostKey.toPath(), SshKeys.privateKeyText(config.hostKey()));
        List<String> keys = new ArrayList<>();
        for (List<PublicKey> perUser : config.authorized().values()) {
            for (PublicKey k : perUser) {
                keys.add(SshKeys.publicKeyLine(k));
            }
        }
        File authorized = new File(dir, "authorized_keys");
        Files.write(authorized.toPath(), keys, StandardCharsets.UTF_8);
        File conf = new File(dir, "sshd_config");
        Files.write(conf.toPath(), List.of(
                "ListenAddress " + address + ":" + port,
                "HostKey " + hostKey.getAbsolutePath(),
                "AuthorizedKeysFile " + authorized.getAbsolutePath(),
                "PidFile " + new File(dir, "sshd.pid").getAbsolutePath(),
                "StrictModes no",
                "UsePAM no",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "PermitRootLogin prohibit-password",
                "SetEnv PATH=" + javaBin + ":/usr/local/bin:/usr/bin:/bin"), StandardCharsets.UTF_8);
        sshd = new ProcessBuilder(SSHD.getPath(), "-D", "-e", "-f", conf.getAbsolutePath())
                .redirectErrorStream(true).redirectOutput(new File(dir, "sshd.log")).start();
        long deadline = System.currentTimeMillis() + 10_000;
        while (true) { // listening once it accepts a connection
            try (Socket s = new Socket(address, port)) {
                return;
            } catch (IOException e) {
                if (!sshd.isAlive() || System.currentTimeMillis() > deadline) {
                    close();
                    throw new IOException("OpenSSH did not start on " + address + ":" + port + ": "
                            + Files.readString(new File(dir, "sshd.log").toPath()));
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException(ie);
                }
            }
        }
    }

    @Override
    public void close() {
        sshd.descendants().forEach(ProcessHandle::destroyForcibly);
        sshd.destroyForcibly();
    }
}
