package io.jenkins.plugins.openstackagents;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import hudson.model.FreeStyleBuild;
import hudson.model.FreeStyleProject;
import hudson.tasks.Shell;
import hudson.util.Secret;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SSH agents on the in-memory Nova, whose guests play cloud-init and OpenSSH ({@link SshGuest}): the launch, its
 * backoff, a host key that does not match, a server that never listens, and where the keys end up.
 */
public class SshAgentTest extends OpenStackTestCase {

    /** The user data of every server created, by server id (kept after the server is gone). */
    private final Map<String, String> userData = new ConcurrentHashMap<>();
    private LogCapture log;

    @Override
    protected void setUp() throws Exception {
        super.setUp();
        compute.onActive((s, ud) -> {
            userData.put(s.id(), ud);
            guests.boot(s, ud);
        });
        log = LogCapture.start();
    }

    @Override
    protected void tearDown() throws Exception {
        log.close();
        AgentLaunch.connectTimeoutMinute = Duration.ofMinutes(1);
        super.tearDown();
    }

    private FreeStyleProject job(String name, String label) throws Exception {
        FreeStyleProject p = createFreeStyleProject(name);
        p.setAssignedLabel(hudson.getLabel(label));
        p.getBuildersList().add(new Shell("echo built on $NODE_NAME"));
        return p;
    }

    private static String privateKeyBody(String pem) {
        Matcher m = Pattern.compile("-----BEGIN [A-Z ]+-----\\s*(\\S{40})").matcher(pem);
        assertTrue("a private key in " + pem.length() + " characters", m.find());
        return m.group(1); // 40 characters from the key's base64: enough to tell whether it was written anywhere
    }

    public void testABuildRunsOnAnSshAgentAndNoPrivateKeyIsLeftInTheClear() throws Exception {
        hudson.clouds.add(cloud("os", getURL().toString(), sshTemplate("ssh", "linux", 10,
                createTmpDir().getAbsolutePath())));
        long queued = System.currentTimeMillis();
        FreeStyleBuild b = assertBuildStatusSuccess(job("on-ssh", "linux").scheduleBuild2(0).get(60, TimeUnit.SECONDS));
        System.out.println("TIMING in-memory Nova, SSH agent: queue to finished build "
                + (System.currentTimeMillis() - queued) + " ms, of which the build " + b.getDuration() + " ms");
        OpenStackAgent agent = (OpenStackAgent) b.getBuiltOn();
        assertLogContains("built on " + agent.getNodeName(), b);
        assertNotNull("launched over SSH", agent.sshLauncher());
        assertTrue("at the address Nova reports", agent.sshAddress().startsWith("127.11."));
        assertEquals(1, guests.sshStarted());

        String ud = userData.get(agent.getServerId());
        assertTrue(ud, ud.startsWith("#cloud-config"));
        assertFalse("the controller's key is not in the user data", ud.contains(hudson.getSecretKey()));
        assertFalse(ud.contains("secret.key"));
        String hostKeyBody = privateKeyBody(new YAMLMapper().readTree(ud).path("ssh_keys").path("ecdsa_private")
                .asText());

        hudson.save();
        String config = new String(Files.readAllBytes(new File(hudson.getRootDir(), "config.xml").toPath()),
                StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<loginKey>([^<]+)</loginKey>").matcher(config);
        assertTrue("the agent's login key is saved with it", m.find());
        assertFalse("encrypted", m.group(1).contains("PRIVATE KEY"));
        String loginKeyBody = privateKeyBody(Secret.toString(Secret.fromString(m.group(1))));
        assertFalse(config.contains(loginKeyBody));
        assertFalse("the host private key stays in the server's user data", config.contains(hostKeyBody));
        assertTrue("the host key's public half is kept", config.contains(agent.sshLauncher().getHostKey()));

        String pages = createWebClient().goTo("computer/" + agent.getNodeName() + "/").asXml()
                + createWebClient().goTo("computer/" + agent.getNodeName() + "/log").asXml()
                + createWebClient().goTo("openstack-agents/os/").asXml();
        for (String body : List.of(loginKeyBody, hostKeyBody, "PRIVATE KEY")) {
            assertFalse(body, pages.contains(body));
            assertEquals(body, 0, log.containing(body));
        }
        assertEquals(log.lines().toString(), 0, log.warnings());
    }

    public void testAServerNotYetListeningIsTriedAgainWithBackoffUntilItIs() throws Exception {
        guests.sshDelay = Duration.ofSeconds(5);
        hudson.clouds.add(cloud("os", getURL().toString(), sshTemplate("ssh", "linux", 10,
                createTmpDir().getAbsolutePath())));
        long t0 = System.currentTimeMillis();
        FreeStyleBuild b = assertBuildStatusSuccess(job("late", "linux").scheduleBuild2(0).get(90, TimeUnit.SECONDS));
        long took = System.currentTimeMillis() - t0;
        OpenStackAgent agent = (OpenStackAgent) b.getBuiltOn();
        // attempts at 0, 2, 6 s after ACTIVE (pauses of 2 and 4 s): the third finds the daemon listening at 5 s
        assertEquals(log.lines().toString(), 1, log.containing("is online over SSH (attempt 3)"));
        assertEquals("one server, not replaced", 1, compute.calls(io.jenkins.plugins.openstackagents.nova.InMemoryCompute.Op.CREATE));
        assertEquals(0, log.warnings());
        System.out.println("TIMING SSH daemon listening 5 s after ACTIVE: build done " + took + " ms after queueing ("
                + agent.getNodeName() + ")");
    }

    public void testAnotherHostKeyIsRefusedTheServerDeletedAndSaidOnce() throws Exception {
        guests.sshImpostor = true;
        hudson.clouds.add(cloud("os", getURL().toString(), sshTemplate("ssh", "linux", 10,
                createTmpDir().getAbsolutePath())));
        FreeStyleProject p = job("impostor", "linux");
        java.util.concurrent.Future<FreeStyleBuild> f = p.scheduleBuild2(0);
        long deadline = System.currentTimeMillis() + 30_000;
        while (log.containing("presented host key") == 0 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        guests.sshImpostor = false; // the replacement is the real thing
        FreeStyleBuild b = assertBuildStatusSuccess(f.get(60, TimeUnit.SECONDS));
        List<String> warnings = new ArrayList<>();
        for (String l : log.lines()) {
            if (l.startsWith("WARNING") || l.startsWith("SEVERE")) {
                warnings.add(l);
            }
        }
        assertEquals(warnings.toString(), 1, warnings.size());
        assertTrue(warnings.get(0), warnings.get(0).matches("WARNING SSH launch of agent \\S+ refused: 127\\.11\\.\\S+:22"
                + " presented host key SHA256:\\S+, expected SHA256:\\S+; deleting the server"));
        assertEquals("the impostor's server was deleted and one more created", 2,
                compute.calls(io.jenkins.plugins.openstackagents.nova.InMemoryCompute.Op.CREATE));
        deadline = System.currentTimeMillis() + 20_000;
        while (compute.list(Map.of()).size() > 1 && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(compute.list(Map.of()).stream().allMatch(s -> s.name().equals(b.getBuiltOn().getNodeName())));
    }

    public void testAServerThatNeverListensIsReplacedAtTheConnectTimeoutAndCountedUntilGone() throws Exception {
        AgentLaunch.connectTimeoutMinute = Duration.ofSeconds(8);
        guests.sshNeverListens = true;
        compute.quota(1, -1, -1).deleteTime(Duration.ofSeconds(2));
        // limits read every 10 s: at quota, the room the deleted server frees is seen at the next read
        hudson.clouds.add(new OpenStackCloud("os", "https://keystone.example.com:5000/v3", "RegionOne", "jenkins",
                "s3cret-password", "ci", "Default", "", "", true, 5, getURL().toString(), 10, 1000, 60,
                List.of(new AgentTemplate("ssh", "linux", "1", "img-1", "net-1", "", "default", "", "", 1,
                        createTmpDir().getAbsolutePath(), 0, 10, 10, 1, 0, AgentTemplate.SSH, "", 0, null))));
        java.util.concurrent.Future<FreeStyleBuild> f = job("never", "linux").scheduleBuild2(0);
        long deadline = System.currentTimeMillis() + 40_000;
        while (compute.calls(io.jenkins.plugins.openstackagents.nova.InMemoryCompute.Op.CREATE) < 2
                && System.currentTimeMillis() < deadline) {
            if (log.containing("did not connect within 1 min") > 0) {
                guests.sshNeverListens = false; // the replacement listens
            }
            Thread.sleep(50);
        }
        assertBuildStatusSuccess(f.get(60, TimeUnit.SECONDS));
        // attempts at 0, 2, 6 s after ACTIVE, then at the 8 s timeout; said once when marked, once when deleted
        assertEquals(log.lines().toString(), 1, log.containing("marked for deletion: agent did not connect within"
                + " 1 min of its server's boot (4 SSH attempts; the last: SSH: jenkins@127.11."));
        assertEquals("a quota of 1: the replacement waited until Nova dropped the first server", 0,
                compute.refusedCreates());
        assertEquals(2, compute.calls(io.jenkins.plugins.openstackagents.nova.InMemoryCompute.Op.CREATE));
    }

    /**
     * The 1.395 inbound agent cannot start on Java 24 or later (its main removes a security manager, which those JVMs
     * refuse); the SSH launcher runs {@code java -jar slave.jar}, which can. Runs where Temurin 25 is installed.
     */
    public void testAnAgentWhoseImageHasJava25ConnectsOverSsh() throws Exception {
        File java25 = new File("/usr/lib/jvm/temurin-25-jdk-amd64/bin");
        if (!new File(java25, "java").canExecute()) {
            System.out.println("SKIPPED: no Temurin 25 at " + java25);
            return;
        }
        guests.sshJavaBin = java25.getPath();
        hudson.clouds.add(cloud("os", getURL().toString(), sshTemplate("ssh", "linux", 10,
                createTmpDir().getAbsolutePath())));
        FreeStyleBuild b = assertBuildStatusSuccess(job("on-25", "linux").scheduleBuild2(0).get(90, TimeUnit.SECONDS));
        String version = (String) b.getBuiltOn().toComputer().getSystemProperties().get("java.version");
        System.out.println("agent java.version " + version);
        assertTrue(version, version.startsWith("25"));
    }

    /** A restart ends every SSH session, and with it each agent: the new Hudson connects to each again. */
    public void testARestartConnectsTheSshAgentsAgain() throws Exception {
        hudson.clouds.add(cloud("os", getURL().toString(), sshTemplate("ssh", "linux", 10,
                createTmpDir().getAbsolutePath())));
        FreeStyleBuild first = assertBuildStatusSuccess(job("before", "linux").scheduleBuild2(0).get(60,
                TimeUnit.SECONDS));
        String agent = first.getBuiltOn().getNodeName();
        restartHudson();
        long t0 = System.currentTimeMillis();
        while (!(hudson.getComputer(agent) != null && hudson.getComputer(agent).isOnline())
                && System.currentTimeMillis() - t0 < 30_000) {
            Thread.sleep(100);
        }
        assertTrue("connected again within 30 s of the restart", hudson.getComputer(agent).isOnline());
        System.out.println("TIMING SSH agent online again " + (System.currentTimeMillis() - t0) + " ms after the restart");
        FreeStyleProject again = hudson.getItemByFullName("before", FreeStyleProject.class);
        FreeStyleBuild second = assertBuildStatusSuccess(again.scheduleBuild2(0).get(60, TimeUnit.SECONDS));
        assertEquals("the same agent, connected again", agent, second.getBuiltOn().getNodeName());
        assertEquals("no new server", 1, compute.calls(io.jenkins.plugins.openstackagents.nova.InMemoryCompute.Op.CREATE));
        assertEquals("one SSH daemon: the server outlived the controller", 1, guests.sshStarted());
    }

    /** A template naming a Nova key pair logs in with that key pair's private half; the host key is still the server's. */
    public void testATemplateWithAKeyPairsPrivateKeyLogsInWithIt() throws Exception {
        java.security.KeyPair kp = io.jenkins.plugins.openstackagents.ssh.SshKeys.generate();
        String pub = io.jenkins.plugins.openstackagents.ssh.SshKeys.publicKeyLine(kp.getPublic());
        hudson.clouds.add(cloud("os", getURL().toString(), new AgentTemplate("kp", "linux", "1", "img-1", "net-1",
                "ci-key", "", "", "", 1, createTmpDir().getAbsolutePath(), 0, 10, 10, 5, 0, AgentTemplate.SSH, "ubuntu",
                0, Secret.fromString(io.jenkins.plugins.openstackagents.ssh.SshKeys.privateKeyText(kp)))));
        FreeStyleBuild b = assertBuildStatusSuccess(job("with-key-pair", "linux").scheduleBuild2(0).get(60,
                TimeUnit.SECONDS));
        OpenStackAgent agent = (OpenStackAgent) b.getBuiltOn();
        String ud = userData.get(agent.getServerId());
        assertTrue("the key pair's public half is the login key", ud.contains("- " + pub));
        assertTrue(ud, ud.contains("name: ubuntu"));
        assertEquals("ubuntu", agent.sshLauncher().getUser());
    }
}
