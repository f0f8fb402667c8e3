package io.jenkins.plugins.openstackagents;

import io.jenkins.plugins.openstackagents.nova.Server;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays the operating system of a server: when the server turns ACTIVE, does what cloud-init would with its user
 * data: a script is run with bash; a cloud-config (SSH agents) gets an SSH daemon on the server's address with the
 * keys it installs ({@link SshGuest}). When the server is gone, kills what it started.
 */
final class GuestEmulator {

    private final File dir;
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final Map<String, AutoCloseable> sshGuests = new ConcurrentHashMap<>();
    /** The SSH daemon's keys of each server, for another daemon on its floating address. */
    private final Map<String, SshGuest.Config> sshConfigs = new ConcurrentHashMap<>();
    /** The daemons on floating addresses, by server id. */
    private final Map<String, AutoCloseable> floatingGuests = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.ScheduledFuture<?>> pendingSsh = new ConcurrentHashMap<>();
    private final java.util.concurrent.ScheduledExecutorService later =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "guest-emulator-sshd-start");
                t.setDaemon(true);
                return t;
            });
    /** The port the guests' SSH daemons listen on. */
    volatile int sshPort = 22;
    /** How long after ACTIVE a guest's SSH daemon starts listening (a boot takes a while). */
    volatile java.time.Duration sshDelay = java.time.Duration.ZERO;
    /** The Java the guests' SSH sessions find first on their PATH: this JVM's, unless a test gives another. */
    volatile String sshJavaBin = System.getProperty("java.home") + File.separator + "bin";
    /**
     * The Java an inbound guest's user data finds on its PATH: {@code guest.inbound.java.home} if set, else this
     * JVM's. Hudson 1.395's inbound agent ({@code hudson.remoting.jnlp.Main}) cannot start on Java 24 or later (it
     * sets a security manager), so the Java 25 test run gives its inbound guests a Java 17 image.
     */
    static final String INBOUND_JAVA_BIN =
            System.getProperty("guest.inbound.java.home", System.getProperty("java.home")) + File.separator + "bin";
    /** Guests whose SSH daemon is the machine's real OpenSSH ({@link OpenSshGuest}), not MINA's. */
    volatile boolean sshOpenSsh;
    /** Guests whose SSH daemon never starts. */
    volatile boolean sshNeverListens;
    /** Guests whose SSH daemon proves another host key than the one their user data installs. */
    volatile boolean sshImpostor;
    private final java.util.concurrent.atomic.AtomicInteger sshStarted = new java.util.concurrent.atomic.AtomicInteger();
    /** A folder each guest sees as its own, as a server has its own disk; null: guests share this machine's. */
    private volatile File privateDir;

    GuestEmulator(File dir) {
        this.dir = dir;
    }

    /**
     * Gives each guest its own copy of {@code folder} (say, the template's remote FS root), as servers have disks of
     * their own: the guest runs in a mount namespace of its own where a folder {@code <server>.disk} is mounted
     * there. Needs root and {@code unshare}; without them, says so and the guests share the folder.
     */
    void givePrivate(File folder) throws InterruptedException {
        try {
            Process p = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() == 0) {
                privateDir = folder.getAbsoluteFile();
                return;
            }
        } catch (IOException e) {
            // no unshare
        }
        System.out.println("Guests share " + folder + ": giving each its own needs root and unshare");
    }

    /** SSH daemons started so far. */
    int sshStarted() {
        return sshStarted.get();
    }

    /** Set once the test ends: a server that turns ACTIVE afterwards (a launch still under way) boots nothing. */
    private volatile boolean halted;

    void boot(Server server, String userData) {
        if (halted) {
            return;
        }
        if (SshGuest.isCloudConfig(userData)) {
            bootSsh(server, userData);
            return;
        }
        try {
            // readable by its owner only, as cloud-init keeps a server's user data: it holds the agent's secret
            File script = new File(dir, server.name() + ".sh");
            Files.deleteIfExists(script.toPath());
            Files.createFile(script.toPath(), java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            Files.write(script.toPath(), userData.getBytes(StandardCharsets.UTF_8));
            File own = privateDir;
            ProcessBuilder pb;
            if (own == null) {
                pb = new ProcessBuilder("bash", script.getAbsolutePath());
            } else {
                File disk = new File(dir, server.name() + ".disk");
                Files.createDirectories(disk.toPath());
                pb = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                        "mkdir -p \"$2\" && mount --bind \"$1\" \"$2\" && exec bash \"$3\"", "guest",
                        disk.getAbsolutePath(), own.getPath(), script.getAbsolutePath());
            }
            pb.redirectErrorStream(true)
                    .redirectOutput(new File(dir, server.name() + ".out"));
            pb.environment().put("PATH", INBOUND_JAVA_BIN + File.pathSeparator + System.getenv("PATH"));
            processes.put(server.id(), pb.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot boot guest " + server.name(), e);
        }
    }

    private void bootSsh(Server server, String userData) {
        if (sshNeverListens) {
            return;
        }
        SshGuest.Config config;
        try {
            config = SshGuest.Config.parse(userData);
        } catch (IOException e) {
            throw new IllegalStateException("guest " + server.name() + ": cloud-config not understood", e);
        }
        Runnable start = () -> {
            pendingSsh.remove(server.id());
            java.security.KeyPair hostKey = sshImpostor ? io.jenkins.plugins.openstackagents.ssh.SshKeys.generate()
                    : config.hostKey();
            sshConfigs.put(server.id(), new SshGuest.Config(hostKey, config.authorized()));
            try {
                sshGuests.put(server.id(), sshOpenSsh
                        ? new OpenSshGuest(new File(dir, server.name() + ".sshd"), server.address(), sshPort,
                                new SshGuest.Config(hostKey, config.authorized()), sshJavaBin)
                        : new SshGuest(server.address(), sshPort, hostKey, config.authorized(), sshJavaBin,
                                shell(server)));
                sshStarted.incrementAndGet();
                if (halted) {
                    kill(server.id()); // the test ended while this daemon started
                }
            } catch (IOException e) {
                System.out.println("guest " + server.name() + ": SSH daemon did not start on " + server.address()
                        + ":" + sshPort + ": " + e);
            }
        };
        if (sshDelay.isZero()) {
            start.run();
        } else {
            pendingSsh.put(server.id(), later.schedule(start, sshDelay.toMillis(),
                    java.util.concurrent.TimeUnit.MILLISECONDS));
        }
    }

    /** How the guest's SSH daemon runs a command: with its own disk at the private folder, if guests have one. */
    private java.util.function.Function<String, java.util.List<String>> shell(Server server) {
        File own = privateDir;
        if (own == null) {
            return cmd -> java.util.List.of("sh", "-c", cmd);
        }
        File disk = new File(dir, server.name() + ".disk");
        return cmd -> {
            disk.mkdirs();
            return java.util.List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                    "mkdir -p \"$2\" && mount --bind \"$1\" \"$2\" && exec sh -c \"$3\"", "guest",
                    disk.getAbsolutePath(), own.getPath(), cmd);
        };
    }

    void halt(Server server) {
        kill(server.id());
    }

    /**
     * A floating IP was associated with the server's port: its SSH daemon listens on that address too, as traffic to
     * a floating IP reaches the server's port on a real cloud.
     */
    void associated(Server server, String address) {
        SshGuest.Config config = sshConfigs.get(server.id());
        if (halted || config == null) {
            return;
        }
        try {
            AutoCloseable old = floatingGuests.put(server.id(), new SshGuest(address, sshPort, config.hostKey(),
                    config.authorized(), sshJavaBin, shell(server)));
            if (old != null) {
                old.close();
            }
        } catch (Exception e) {
            System.out.println("guest " + server.name() + ": SSH daemon did not start on " + address + ": " + e);
        }
    }

    /** Kills the guest's processes (the agent, and whatever it runs); the server itself stays. */
    void kill(String serverId) {
        java.util.concurrent.ScheduledFuture<?> pending = pendingSsh.remove(serverId);
        if (pending != null) {
            pending.cancel(false);
        }
        sshConfigs.remove(serverId);
        for (AutoCloseable ssh : new AutoCloseable[] {sshGuests.remove(serverId), floatingGuests.remove(serverId)}) {
            if (ssh != null) {
                try {
                    ssh.close();
                } catch (Exception e) {
                    // gone anyway
                }
            }
        }
        Process p = processes.remove(serverId);
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    int running() {
        int n = sshGuests.size();
        for (Process p : processes.values()) {
            if (p.isAlive()) {
                n++;
            }
        }
        return n;
    }

    void haltAll() {
        halted = true;
        for (String id : new java.util.ArrayList<>(sshGuests.keySet())) {
            kill(id);
        }
        for (String id : new java.util.ArrayList<>(pendingSsh.keySet())) {
            kill(id);
        }
        for (Process p : processes.values()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        processes.clear();
    }
}
