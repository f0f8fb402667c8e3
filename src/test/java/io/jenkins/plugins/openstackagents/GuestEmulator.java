package io.jenkins.plugins.openstackagents;

import io.jenkins.plugins.openstackagents.nova.Server;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plays the operating system of a server: when the server turns ACTIVE, runs its user data with bash, as
 * cloud-init would; when the server is gone, kills what it started.
 */
final class GuestEmulator {

    private final File dir;
    private final Map<String, Process> processes = new ConcurrentHashMap<>();

    GuestEmulator(File dir) {
        this.dir = dir;
    }

    void boot(Server server, String userData) {
        try {
            File script = new File(dir, server.name() + ".sh");
            Files.write(script.toPath(), userData.getBytes(StandardCharsets.UTF_8));
            ProcessBuilder pb = new ProcessBuilder("bash", script.getAbsolutePath())
                    .redirectErrorStream(true)
                    .redirectOutput(new File(dir, server.name() + ".out"));
            String javaBin = System.getProperty("java.home") + File.separator + "bin";
            pb.environment().put("PATH", javaBin + File.pathSeparator + System.getenv("PATH"));
            processes.put(server.id(), pb.start());
        } catch (IOException e) {
            throw new IllegalStateException("cannot boot guest " + server.name(), e);
        }
    }

    void halt(Server server) {
        kill(server.id());
    }

    /** Kills the guest's processes (the agent, and whatever it runs); the server itself stays. */
    void kill(String serverId) {
        Process p = processes.remove(serverId);
        if (p != null) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    int running() {
        int n = 0;
        for (Process p : processes.values()) {
            if (p.isAlive()) {
                n++;
            }
        }
        return n;
    }

    void haltAll() {
        for (Process p : processes.values()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        processes.clear();
    }
}
