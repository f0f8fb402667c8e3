package io.jenkins.plugins.openstackagents.browser;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Hudson 1.395 as an administrator runs it: the hudson-war in a process of its own, on 127.0.0.1, with the
 * packaged plugin ({@code target/openstack-agents.hpi}) installed in a new home. The browser tests start one per
 * test class. The war, the plugin and the JVM flags come from the build (system properties {@code hudson.war},
 * {@code plugin.hpi}, {@code hudson.jvm.flags}).
 */
public final class HudsonServer implements AutoCloseable {

    private final Path home;
    private final int port;
    private final Process process;
    private final Path log;

    private HudsonServer(Path home, int port, Process process, Path log) {
        this.home = home;
        this.port = port;
        this.process = process;
        this.log = log;
    }

    /** Starts a Hudson with no cloud, inbound agents on a random port, and no calls to the update center. */
    public static HudsonServer start(String name) throws IOException, InterruptedException {
        Path home = Files.createDirectories(Paths.get("target", "browser-hudson", name + "-" + System.currentTimeMillis()))
                .toAbsolutePath();
        Path plugins = Files.createDirectories(home.resolve("plugins"));
        Files.copy(Paths.get(required("plugin.hpi")), plugins.resolve("openstack-agents.hpi"),
                StandardCopyOption.REPLACE_EXISTING);
        // slaveAgentPort 0: inbound agents on a random port; no usage statistics (a script from a host outside)
        Files.write(home.resolve("config.xml"), String.join("\n",
                "<?xml version='1.0' encoding='UTF-8'?>",
                "<hudson>",
                "  <numExecutors>0</numExecutors>",
                "  <useSecurity>false</useSecurity>",
                "  <slaveAgentPort>0</slaveAgentPort>",
                "  <noUsageStatistics>true</noUsageStatistics>",
                "</hudson>", "").getBytes(StandardCharsets.UTF_8));
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        cmd.addAll(Arrays.asList(required("hudson.jvm.flags").trim().split("\\s+")));
        cmd.add("-DHUDSON_HOME=" + home);
        // the update center and the tool installers would have the browser fetch data from hosts outside
        cmd.add("-Dhudson.model.UpdateCenter.never=true");
        cmd.add("-Dhudson.model.DownloadService.never=true");
        cmd.add("-cp");
        cmd.add(new File(HudsonWarMain.class.getProtectionDomain().getCodeSource().getLocation().getPath()).getPath());
        cmd.add(HudsonWarMain.class.getName());
        cmd.add(required("hudson.war"));
        cmd.add("--httpPort=" + port);
        cmd.add("--httpListenAddress=127.0.0.1");
        cmd.add("--ajp13Port=-1");
        cmd.add("--webroot=" + home.resolve("war"));
        Path log = home.resolve("hudson.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("HUDSON_HOME", home.toString());
        HudsonServer server = new HudsonServer(home, port, pb.start(), log);
        // a test JVM that ends before close() (killed, or System.exit) takes its Hudson with it
        Runtime.getRuntime().addShutdownHook(new Thread(server.process::destroyForcibly, "stop " + home));
        try {
            server.awaitUp(120);
        } catch (IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isEmpty() || v.startsWith("${")) {
            throw new IllegalStateException("system property " + property + " is not set: run the browser tests with"
                    + " mvn verify (the browser-tests execution sets it)");
        }
        return v;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitUp(int seconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Hudson exited with " + process.exitValue() + ":\n" + logTail());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) new URL(url()).openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(5000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("Hudson did not answer within " + seconds + " s:\n" + logTail());
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    public Path home() {
        return home;
    }

    /** The saved global configuration. */
    public String configXml() throws IOException {
        return new String(Files.readAllBytes(home.resolve("config.xml")), StandardCharsets.UTF_8);
    }

    /** Hudson's own output: its log lines, the plugin's among them. */
    public String log() throws IOException {
        return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
    }

    private String logTail() throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    /** Creates a freestyle job that runs {@code command} on an agent with {@code label}, through Hudson's API. */
    public void createJob(String name, String label, String command) throws IOException {
        String xml = "<?xml version='1.0' encoding='UTF-8'?>\n<project><actions/><description/>"
                + "<keepDependencies>false</keepDependencies><properties/><scm class=\"hudson.scm.NullSCM\"/>"
                + "<assignedNode>" + label + "</assignedNode><canRoam>false</canRoam><disabled>false</disabled>"
                + "<triggers class=\"vector\"/><concurrentBuild>false</concurrentBuild><builders><hudson.tasks.Shell>"
                + "<command>" + command + "</command></hudson.tasks.Shell></builders><publishers/><buildWrappers/>"
                + "</project>";
        post("createItem?name=" + name, "application/xml", xml);
    }

    /** Queues a build of the job at once. */
    public void build(String job) throws IOException {
        post("job/" + job + "/build?delay=0sec", "text/plain", "");
    }

    /** The JSON that Hudson's remote API gives for {@code path} (e.g. {@code job/x/lastBuild/}). */
    public String api(String path) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url() + path + "api/json").openConnection();
        if (c.getResponseCode() == 404) {
            return null;
        }
        try (java.io.InputStream in = c.getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private void post(String path, String type, String body) throws IOException {
        HttpURLConnection c = (HttpURLConnection) new URL(url() + path).openConnection();
        c.setRequestMethod("POST");
        c.setDoOutput(true);
        c.setInstanceFollowRedirects(false);
        c.setRequestProperty("Content-Type", type);
        c.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
        int code = c.getResponseCode();
        if (code >= 400) {
            throw new IOException("POST " + path + " answered " + code);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
