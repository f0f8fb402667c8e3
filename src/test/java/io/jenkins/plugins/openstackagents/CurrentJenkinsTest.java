package io.jenkins.plugins.openstackagents;

import hudson.model.Action;
import hudson.model.FreeStyleProject;
import hudson.model.Queue;
import hudson.model.queue.CauseOfBlockage;
import hudson.util.FormValidation;
import io.jenkins.plugins.openstackagents.forms.FormChecks;
import java.util.Calendar;
import java.util.List;

/** What current Jenkins calls that Hudson 1.395 does not, called here as current Jenkins would. */
public class CurrentJenkinsTest extends OpenStackTestCase {

    private static Queue.BuildableItem buildable(FreeStyleProject p) {
        return new Queue.BuildableItem(new Queue.WaitingItem(Calendar.getInstance(), p, List.<Action>of()));
    }

    /** Current Jenkins' queue asks {@code canTake(BuildableItem)} only: a used single-use agent still says no. */
    public void testTheBuildableItemOverloadKeepsSingleUseAndDeletion() throws Exception {
        AgentTemplate t = template("linux", "openstack", 0, createTmpDir().getAbsolutePath());
        hudson.clouds.add(cloud("os", getURL().toString(), t));
        OpenStackAgent agent = new OpenStackAgent("os-linux-used", "os", t, "server-1");
        hudson.addNode(agent);
        FreeStyleProject onIt = createFreeStyleProject("on-openstack");
        onIt.setAssignedLabel(hudson.getLabel("openstack"));
        FreeStyleProject elsewhere = createFreeStyleProject("elsewhere");
        elsewhere.setAssignedLabel(hudson.getLabel("windows"));

        assertNull("an unused agent takes a build of its label", agent.canTake(buildable(onIt)));
        assertNotNull("the core's label check still applies", agent.canTake(buildable(elsewhere)));

        agent.markUsed();
        CauseOfBlockage used = agent.canTake(buildable(onIt));
        assertNotNull("a used single-use agent takes no second build", used);
        assertTrue(used.getShortDescription(), used.getShortDescription().contains("single-use"));

        OpenStackAgent marked = new OpenStackAgent("os-linux-marked", "os",
                template("idle", "openstack", 10, createTmpDir().getAbsolutePath()), "server-2");
        hudson.addNode(marked);
        ((OpenStackComputer) marked.toComputer()).markForDeletion("idle for 11 min (limit 10 min)");
        CauseOfBlockage deleting = marked.canTake(buildable(onIt));
        assertNotNull(deleting);
        assertTrue(deleting.getShortDescription(), deleting.getShortDescription().contains("being deleted"));
    }

    /**
     * A Pipeline's {@code node {}} block runs on the agent's executor while its build runs elsewhere (the
     * controller's flyweight executor), so no build's {@code getExecutor()} is the agent's: the agent's own executor
     * events mark it used, and deleted once the task ends.
     */
    public void testATaskWhoseBuildRunsElsewhereUsesUpASingleUseAgent() throws Exception {
        AgentTemplate t = template("linux", "openstack", 0, createTmpDir().getAbsolutePath());
        hudson.clouds.add(cloud("os", getURL().toString(), t));
        OpenStackAgent agent = new OpenStackAgent("os-linux-node-block", "os", t, "server-1");
        hudson.addNode(agent);
        OpenStackComputer c = (OpenStackComputer) agent.toComputer();
        FreeStyleProject task = createFreeStyleProject("pipeline-node-block");
        hudson.model.Executor executor = c.getExecutors().get(0);

        c.taskAccepted(executor, task);
        assertTrue("used as soon as its executor took the task", c.isUsed());
        assertNotNull("so it takes no second one", agent.canTake(buildable(task)));
        assertNull(c.getDeletionReason());

        c.taskCompleted(executor, task, 1000);
        assertEquals("single-use agent finished pipeline-node-block", c.getDeletionReason());
    }

    /**
     * The status page links to where clouds are configured and shows an icon, on each core: 1.395's
     * {@code /configure} and {@code computer.gif}, which this harness serves; current Jenkins' cloud pages
     * ({@code /cloud/NAME/configure}) and a symbol, chosen when the core has {@code jenkins.agents.CloudSet}.
     */
    public void testTheStatusPageLinksToPagesTheCoreHas() throws Exception {
        hudson.clouds.add(cloud("my os", getURL().toString(),
                template("linux", "openstack", 10, createTmpDir().getAbsolutePath())));
        WebClient wc = createWebClient();
        com.gargoylesoftware.htmlunit.html.HtmlPage page = wc.goTo("openstack-agents/my%20os/");
        com.gargoylesoftware.htmlunit.html.HtmlAnchor configure =
                (com.gargoylesoftware.htmlunit.html.HtmlAnchor) page.getElementById("configure");
        assertEquals(getURL() + "configure", page.getFullyQualifiedUrl(configure.getHrefAttribute()).toString());
        assertEquals(200, configure.click().getWebResponse().getStatusCode());

        com.gargoylesoftware.htmlunit.html.HtmlPage root = wc.goTo("");
        boolean iconShown = false;
        for (Object o : root.selectNodes("//a[contains(@href,'openstack-agents')]/img")) {
            String src = ((com.gargoylesoftware.htmlunit.html.HtmlImage) o).getSrcAttribute();
            assertTrue(src, src.endsWith("/computer.gif"));
            assertEquals(src, 200, wc.getPage(root.getFullyQualifiedUrl(src)).getWebResponse().getStatusCode());
            iconShown = true;
        }
        assertTrue("the side panel shows the status page with its icon", iconShown);

        RunningCore current = new RunningCore(RunningCore.CLOUD_SET::equals);
        assertTrue(current.isCurrent());
        assertEquals("cloud/my%20os/configure", current.configure("my os"));
        assertEquals("cloud/", current.newCloud());
        assertEquals("symbol-cloud", current.statusIcon());
        assertFalse("this harness is Hudson 1.395", RunningCore.get().isCurrent());
        assertEquals("configure", RunningCore.get().configure("my os"));
    }

    /** A core as current Jenkins is: nodes in files of their own, written by {@code updateNode(Node)}. */
    public static final class CoreWithNodeFiles {
        final List<hudson.model.Node> updated = new java.util.ArrayList<>();

        public void updateNode(hudson.model.Node n) {
            updated.add(n);
        }
    }

    /**
     * An agent's own fields (its address, its use, why it goes) are saved where the core keeps nodes: through
     * {@code updateNode} on current Jenkins, whose {@code save()} no longer writes them (an SSH agent would lose its
     * address at a restart), and in {@code config.xml} on Hudson 1.395.
     */
    public void testAnAgentIsSavedWhereTheCoreKeepsNodes() throws Exception {
        AgentTemplate t = sshTemplate("linux", "openstack", 10, createTmpDir().getAbsolutePath());
        hudson.clouds.add(cloud("os", getURL().toString(), t));
        OpenStackAgent agent = new OpenStackAgent("os-linux-saved", "os", t, "server-1");
        hudson.addNode(agent);

        CoreWithNodeFiles current = new CoreWithNodeFiles();
        RunningCore.saveNode(current, agent);
        assertEquals(List.of(agent), current.updated);

        agent.setAddress("127.10.0.77");
        String config = new String(java.nio.file.Files.readAllBytes(new java.io.File(hudson.getRootDir(), "config.xml")
                .toPath()), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue("1.395 keeps the address in config.xml", config.contains("127.10.0.77"));

        // a node this core does not hold (removed, or another Jenkins' in the same JVM) writes nothing
        OpenStackAgent gone = new OpenStackAgent("os-linux-gone", "os", t, "server-2");
        java.io.File file = new java.io.File(hudson.getRootDir(), "config.xml");
        assertTrue(file.delete());
        gone.setAddress("127.10.0.78");
        assertFalse("config.xml written for a node the core does not hold", file.exists());
    }

    /** The inbound warning says what this core hands each server: the controller's key on 1.395 only. */
    public void testTheInboundWarningSaysWhatTheCoreHandsOut() {
        String current = FormChecks.launchMethod(true, true).getMessage(); // HTML-escaped
        assertFalse(current, current.contains("secret key"));
        assertTrue(current, current.contains("connect as that agent"));
        String hudson1395 = FormChecks.launchMethod(true, false).getMessage();
        assertTrue(hudson1395, hudson1395.contains("presents the controller") && hudson1395.contains("secret key"));
        assertEquals(FormValidation.Kind.OK, FormChecks.launchMethod(false, true).kind);
    }
}
