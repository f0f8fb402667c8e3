package io.jenkins.plugins.openstackagents;

import hudson.model.Action;
import hudson.model.FreeStyleProject;
import hudson.model.Queue;
import hudson.model.queue.CauseOfBlockage;
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
}
