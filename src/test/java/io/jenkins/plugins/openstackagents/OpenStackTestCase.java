package io.jenkins.plugins.openstackagents;

import hudson.model.LoadStatistics;
import hudson.slaves.NodeProvisioner;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.jvnet.hudson.test.HudsonTestCase;

/**
 * A real Hudson in the test JVM, whose clouds talk to an {@link InMemoryCompute}. NodeProvisioner ticks every
 * 200 ms instead of 10 s so that provisioning tests take seconds.
 */
public abstract class OpenStackTestCase extends HudsonTestCase {

    protected InMemoryCompute compute;
    /** Plays the servers' operating system: runs the user data of each server that turns ACTIVE. */
    protected GuestEmulator guests;

    @Override
    protected void setUp() throws Exception {
        int tick = nodeProvisionerTickMs();
        LoadStatistics.CLOCK = tick;
        NodeProvisioner.NodeProvisionerInvoker.INITIALDELAY = tick;
        NodeProvisioner.NodeProvisionerInvoker.RECURRENCEPERIOD = tick;
        super.setUp();
        compute = new InMemoryCompute();
        hudson.getDescriptorByType(OpenStackCloud.DescriptorImpl.class).setComputeFactory(settings -> compute);
        guests = new GuestEmulator(createTmpDir());
        compute.onActive(guests::boot).onGone(guests::halt).onAssociated(guests::associated);
    }

    @Override
    protected void tearDown() throws Exception {
        closeWebClients();
        guests.haltAll();
        // no cleanup pass may remove an agent (and save Hudson's config) while the harness deletes this Hudson's
        // home: the periodic work acts on no cloud from now on, and a pass under way ends first
        hudson.clouds.clear();
        long end = System.currentTimeMillis() + 30_000;
        while (OpenStackCleanupWork.running() && System.currentTimeMillis() < end) {
            Thread.sleep(50);
        }
        super.tearDown();
    }

    /** Stops this Hudson as a shutdown does, and starts a new one on the same home, servlet context and port. */
    protected void restartHudson() throws Exception {
        java.io.File home = hudson.getRootDir();
        javax.servlet.ServletContext context = hudson.servletContext;
        hudson.cleanUp();
        hudson = new hudson.model.Hudson(home, context);
        context.setAttribute("app", hudson);
        hudson.getDescriptorByType(OpenStackCloud.DescriptorImpl.class).setComputeFactory(settings -> compute);
    }

    /** How often NodeProvisioner looks at the load; Jenkins' default is 10 s. */
    protected int nodeProvisionerTickMs() {
        return 200;
    }

    /**
     * A build step that records the agent its build runs on: a single-use agent can be gone from Jenkins by the
     * time the test reads the finished build, whose {@code getBuiltOn()} then answers null.
     */
    protected static final class AgentSeen extends org.jvnet.hudson.test.TestBuilder {
        private transient volatile hudson.model.Node node;

        @Override
        public boolean perform(hudson.model.AbstractBuild<?, ?> build, hudson.Launcher launcher,
                hudson.model.BuildListener listener) {
            node = build.getBuiltOn();
            return true;
        }

        /** The agent the last build ran on (it fails the test when that was no agent of this plugin). */
        OpenStackAgent agent() {
            assertTrue("built on " + node, node instanceof OpenStackAgent);
            return (OpenStackAgent) node;
        }
    }

    /**
     * Queues one build of each of {@code n} new projects ({@code prefix-0}, ...) on {@code label}, each running
     * {@code command}.
     */
    protected java.util.List<java.util.concurrent.Future<hudson.model.FreeStyleBuild>> queueBuilds(String label,
            String prefix, int n, String command) throws java.io.IOException {
        java.util.List<java.util.concurrent.Future<hudson.model.FreeStyleBuild>> builds = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            hudson.model.FreeStyleProject p = createFreeStyleProject(prefix.replaceAll("[^a-z0-9]", "-") + "-" + i);
            p.setAssignedLabel(hudson.getLabel(label));
            p.getBuildersList().add(new hudson.tasks.Shell(command));
            builds.add(p.scheduleBuild2(0));
        }
        return builds;
    }

    /** Adds an {@link AgentSeen} step to the project. */
    protected static AgentSeen seeAgent(hudson.model.FreeStyleProject p) throws java.io.IOException {
        AgentSeen seen = new AgentSeen();
        p.getBuildersList().add(seen);
        return seen;
    }

    protected static AgentTemplate template(String name, String labels, int idleMinutes, String remoteFs) {
        return new AgentTemplate(name, labels, "1", "img-1", "net-1", "", "default", "", "", 1, remoteFs, 0,
                idleMinutes, 10, 5, 0);
    }

    /** An SSH template (the default launch method of the form): user jenkins, port 22, a login key per agent. */
    protected static AgentTemplate sshTemplate(String name, String labels, int idleMinutes, String remoteFs) {
        return new AgentTemplate(name, labels, "1", "img-1", "net-1", "", "default", "", "", 1, remoteFs, 0,
                idleMinutes, 10, 5, 0, AgentTemplate.SSH, "", 0, null);
    }

    protected OpenStackCloud cloud(String name, String jenkinsUrl, AgentTemplate... templates) {
        List<AgentTemplate> list = new ArrayList<>();
        Collections.addAll(list, templates);
        return new OpenStackCloud(name, "https://keystone.example.com:5000/v3", "RegionOne", "jenkins",
                "s3cret-password", "ci", "Default", "", "", true, 5, jenkinsUrl, 60, 1000, 60, list);
    }

    /**
     * The harness loads about:blank into each web client's window when a test ends, and HtmlUnit 2.x sometimes fails
     * there on the last page's frames (a NullPointerException in {@code HtmlPage.loadFrames}, an
     * {@code EmptyStackException} in its window tracker), which skips the rest of the teardown: Hudson is not
     * cleaned up and the test fails. Each client's windows are closed here instead (which stops its JavaScript), and
     * the harness is left none to load.
     */
    @SuppressWarnings("unchecked")
    private void closeWebClients() throws ReflectiveOperationException {
        java.lang.reflect.Field f = HudsonTestCase.class.getDeclaredField("clients");
        f.setAccessible(true);
        List<java.lang.ref.WeakReference<WebClient>> clients = (List<java.lang.ref.WeakReference<WebClient>>) f.get(this);
        for (java.lang.ref.WeakReference<WebClient> ref : clients) {
            WebClient wc = ref.get();
            if (wc != null) {
                try {
                    wc.closeAllWindows();
                } catch (RuntimeException e) {
                    System.out.println("closing a web client: " + e);
                }
            }
        }
        clients.clear();
    }
}
