package io.jenkins.plugins.openstackagents.browser;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import io.jenkins.plugins.openstackagents.LocalOpenStack;
import io.jenkins.plugins.openstackagents.NovaGuestEmulator;
import java.io.File;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.After;
import org.junit.AfterClass;
import org.junit.Before;
import org.junit.BeforeClass;
import org.junit.Test;
import org.openqa.selenium.By;

/**
 * The cloud configuration page as an administrator uses it, in chromium, against a Hudson of its own and the real
 * OpenStack on 127.0.0.1 (Keystone, Nova, Glance, Neutron): each scenario clicks and types what a person would and
 * asserts what the page shows. Every page opened must leave no SEVERE entry in the browser's console.
 */
public class CloudConfigurationIT {

    /** Every cloud these tests configure is named so: what an interrupted run left is theirs to delete. */
    private static final String CLOUD_PREFIX = "browser";

    private static LocalOpenStack os;
    private static OpenStackApi api;
    private static HudsonServer hudson;
    private static NovaGuestEmulator guests;
    private static File agentsDir;
    /** A flavor that scenario 5 configures and then deletes from the cloud; made before any page lists flavors. */
    private static String doomedFlavor;
    private static boolean doomedFlavorDeleted;
    /**
     * A second network of the project on a physical network the rig binds ports on, made before any page lists
     * networks: scenario 1's agent gets a port on it after the rig's agents-net.
     */
    private static String network;

    private Browser browser;

    @BeforeClass
    public static void startHudson() throws Exception {
        os = LocalOpenStack.get();
        api = new OpenStackApi(os);
        api.deleteServersOf(CLOUD_PREFIX);
        doomedFlavor = api.createFlavor("browser-doomed");
        network = api.createProjectNetwork("browser-net-2", "physnet2", "127.13.0.0/16");
        hudson = HudsonServer.start("configuration");
        agentsDir = Files.createDirectories(hudson.home().resolve("agents")).toFile();
        guests = new NovaGuestEmulator(os, Files.createDirectories(hudson.home().resolve("guests")).toFile());
    }

    @AfterClass
    public static void stopHudson() throws Exception {
        try {
            if (guests != null && hudson != null) {
                // the agents these scenarios started were SSH agents: no server was handed the controller's key
                String key = Files.readString(hudson.home().resolve("secret.key")).trim();
                assertTrue("the controller's key was read", key.length() >= 32);
                Map<String, String> seen = guests.userDataSeen();
                for (Map.Entry<String, String> e : seen.entrySet()) {
                    assertFalse("server " + e.getKey() + "'s user data holds the controller's secret key",
                            e.getValue().contains(key));
                    assertFalse(e.getValue().contains("secret.key"));
                }
                System.out.println("USERDATA CloudConfigurationIT: " + seen.size()
                        + " servers' user data inspected, none holds the controller's key");
            }
            if (hudson != null) {
                hudson.close();
            }
        } finally {
            if (guests != null) {
                guests.close();
            }
            if (api != null) {
                api.deleteServersOf(CLOUD_PREFIX);
                if (doomedFlavor != null && !doomedFlavorDeleted) {
                    api.deleteFlavor(doomedFlavor);
                }
                if (network != null) {
                    api.deleteNetwork(network);
                }
            }
        }
    }

    @Before
    public void openBrowser() {
        browser = new Browser();
    }

    @After
    public void closeBrowser() {
        if (browser != null) {
            System.out.println("SEVERE console entries per page: " + browser.severeCounts());
            browser.close();
        }
    }

    /** A new cloud through the form: what it takes to connect, one template, saved. */
    private CloudSection newCloud(ConfigurePage page, String name) {
        CloudSection cloud = page.addOpenStackCloud();
        cloud.type("name", name);
        cloud.type("authUrl", os.authUrl());
        cloud.type("region", os.region());
        cloud.type("applicationCredentialId", os.appCredId());
        cloud.type("applicationCredentialSecret", os.appCredSecret());
        return cloud;
    }

    private void fillTemplate(TemplateSection t, String name, String labels, String flavor) {
        t.type("name", name);
        t.type("labels", labels);
        t.choose("flavor", flavor);
        t.choose("image", os.imageName());
    }

    private static final String SMALL = "m1.small (1 vCPU, 512 MB)";
    private static final String NEWEST = "Newest image named ";
    private static final String MEDIUM = "m1.medium (2 vCPU, 1024 MB)";

    /**
     * Scenario 1: from a Hudson with no cloud, add one, test its connection, fill a template from the cloud's lists,
     * open Advanced and a help text, save; the configuration is on disk and on the page opened again; a labelled
     * build runs on an agent of that cloud (its image given by name: Nova is asked for the id Glance lists under
     * it, or it would refuse the create), whose server is gone afterwards.
     */
    @Test
    public void aNewCloudIsConfiguredTestedSavedAndRunsABuild() throws Exception {
        ConfigurePage page = ConfigurePage.open(browser, hudson);
        CloudSection cloud = newCloud(page, "browser");
        String answer = cloud.testConnection();
        System.out.println("Test Connection: " + answer);
        assertTrue(answer, answer.startsWith("Connected. Nova limits: "));
        assertTrue(answer, answer.contains("/" + os.quotaInstances() + " instances"));

        List<TemplateSection> templates = cloud.templates();
        assertEquals("a new cloud comes with one template to fill in", 1, templates.size());
        TemplateSection t = templates.get(0);
        fillTemplate(t, "small", "browser-linux", SMALL);
        t.choose("image", NEWEST + os.imageName()); // by name: each create boots the newest image of that name
        t.awaitOption("network", "browser-net-2");
        assertEquals("(none: Nova's default)", t.select("network").getFirstSelectedOption().getText());
        t.choose("network", "agents-net");
        // a second network: a row of its own, its dropdown filled from the cloud, checked as it is chosen
        String networksHelp = t.networksHelp();
        assertTrue(networksHelp, networksHelp.contains("Add network") && networksHelp.contains("port quota"));
        assertEquals("a new template has no additional network", 0, t.networkRows().size());
        NetworkRow row = t.addNetwork();
        row.awaitOption("id", "browser-net-2");
        assertEquals("(choose a network)", row.select("id").getFirstSelectedOption().getText());
        row.choose("id", "agents-net");
        String twice = row.awaitMessage("id", "first network already");
        System.out.println("additional network = the first: " + twice);
        row.choose("id", "browser-net-2");
        browser.await("the row's message gone", d -> row.message("id").isEmpty());
        String rowHelp = row.help("id");
        assertTrue(rowHelp, rowHelp.contains("in this order"));
        NetworkRow extra = t.addNetwork();
        assertEquals(2, t.networkRows().size());
        extra.delete();
        browser.await("the deleted row gone", d -> t.networkRows().size() == 1);
        // reached at a floating IP of the rig's external network, as most private clouds reach their servers
        t.awaitOption("floatingIpPool", "agents-ext");
        assertTrue(t.select("floatingIpPool").getFirstSelectedOption().getText().startsWith("(none"));
        t.choose("floatingIpPool", "agents-ext");
        String fipHelp = t.help("floatingIpPool");
        assertTrue(fipHelp, fipHelp.contains("Neutron's quota"));
        t.type("idleMinutes", "0");
        // SSH is what a new template starts with; inbound is there, with what it costs said at the field
        assertTrue(t.select("launchMethod").getFirstSelectedOption().getText().startsWith("SSH"));
        t.select("launchMethod").selectByVisibleText("Inbound: the server connects to the controller");
        String inbound = t.awaitMessage("launchMethod", "secret key");
        System.out.println("launchMethod = inbound: " + inbound);
        t.select("launchMethod").selectByVisibleText("SSH: the controller connects to the server");
        browser.await("the inbound warning gone", d -> t.message("launchMethod").isEmpty());
        assertEquals("jenkins", t.field("sshUser").getAttribute("value"));
        assertEquals("22", t.field("sshPort").getAttribute("value"));
        String sshHelp = t.help("launchMethod");
        assertTrue(sshHelp, sshHelp.contains("no trust on first use"));

        String help = t.help("labels");
        assertTrue(help, help.contains("label"));
        t.advanced();
        browser.await("the advanced fields", d -> t.field("bootTimeoutMinutes").isDisplayed());
        t.type("remoteFs", new File(agentsDir, "small").getAbsolutePath());
        // the security groups, by name, checked against the project's (Neutron's list)
        t.type("securityGroups", "default, no-such-group");
        String unknownGroup = t.awaitMessage("securityGroups", "no security group 'no-such-group'");
        System.out.println("securityGroups = 'default, no-such-group': " + unknownGroup);
        assertTrue(unknownGroup, unknownGroup.contains("it has: default"));
        t.type("securityGroups", "default");
        browser.await("the security groups' message gone", d -> t.message("securityGroups").isEmpty());
        browser.picture("cloud-configuration", cloud.root());
        browser.picture("template-advanced", t.root());

        page.save();
        assertEquals("Save leads to the front page", hudson.url(), browser.driver().getCurrentUrl());
        String xml = hudson.configXml();
        assertTrue(xml, xml.contains("<" + ConfigurePage.CLOUD_CLASS + ">"));
        assertTrue(xml, xml.contains("<name>browser</name>"));
        assertTrue(xml, xml.contains("<applicationCredentialId>" + os.appCredId() + "</applicationCredentialId>"));
        assertFalse("the secret is not saved in clear", xml.contains(os.appCredSecret()));
        assertTrue(xml, xml.contains("<flavor>" + os.flavorSmall() + "</flavor>"));
        assertTrue(xml, xml.contains("<image>" + os.imageName() + "</image>"));
        assertTrue(xml, xml.contains("<launchMethod>ssh</launchMethod>"));
        assertTrue(xml, xml.contains("<sshUser>jenkins</sshUser>"));
        assertTrue(xml, xml.contains("<floatingIpPool>" + os.externalNetworkId() + "</floatingIpPool>"));
        assertTrue(xml, xml.contains("<network>" + os.networkId() + "</network>"));
        assertTrue(xml, xml.contains("<securityGroups>default</securityGroups>"));
        assertTrue(xml, xml.matches("(?s).*<extraNetworks>\\s*<io.jenkins.plugins.openstackagents.AgentNetwork>\\s*"
                + "<id>" + network + "</id>\\s*</io.jenkins.plugins.openstackagents.AgentNetwork>\\s*</extraNetworks>.*"));

        ConfigurePage again = ConfigurePage.open(browser, hudson);
        CloudSection saved = again.cloud("browser");
        assertEquals(os.authUrl(), saved.field("authUrl").getAttribute("value"));
        assertFalse("the secret is not shown back", browser.driver().getPageSource().contains(os.appCredSecret()));
        TemplateSection small = saved.template("small");
        assertEquals("browser-linux", small.field("labels").getAttribute("value"));
        small.awaitOption("flavor", SMALL);
        assertEquals(SMALL, small.select("flavor").getFirstSelectedOption().getText());
        small.awaitOption("image", NEWEST + os.imageName());
        assertEquals(NEWEST + os.imageName(), small.select("image").getFirstSelectedOption().getText());
        List<NetworkRow> rows = small.networkRows();
        assertEquals("the saved row, and only it", 1, rows.size());
        rows.get(0).awaitOption("id", "browser-net-2");
        assertEquals("browser-net-2", rows.get(0).select("id").getFirstSelectedOption().getText());

        // the build waits on its agent long enough for the agent's and the cloud's pages to be looked at
        hudson.createJob("on-openstack", "browser-linux", "echo built on $NODE_NAME; sleep 15");
        hudson.build("on-openstack");
        String running = awaitRunning("on-openstack", 120);
        String agent = running.replaceFirst("(?s).*\"builtOn\":\"([^\"]+)\".*", "$1");
        assertTrue(running, agent.startsWith("browser-small-"));
        List<String> servers = api.serversOf("browser");
        assertEquals(servers.toString(), 1, servers.size());
        assertEquals("a port on each network, as the form gave them",
                java.util.stream.Stream.of(os.networkId(), network).sorted().toList(),
                api.portNetworksOf(servers.get(0)).stream().sorted().toList());

        browser.open(hudson.url() + "computer/" + agent + "/");
        String agentPage = browser.find(By.tagName("body")).getText();
        assertTrue(agentPage, agentPage.contains("of cloud browser, template small."));
        String agentXml = hudson.configXml();
        assertTrue("the agent was launched over SSH", agentXml.contains("<launcher class=\"io.jenkins.plugins.openstackagents.ssh.SshLauncher\">"));
        assertFalse("its login key is saved encrypted", agentXml.contains("PRIVATE KEY"));
        assertTrue("connected at its floating IP", agentXml.contains("<address>127.20."));
        browser.open(hudson.url() + "computer/" + agent + "/log");
        String launchLog = browser.find(By.tagName("body")).getText();
        assertTrue(launchLog, launchLog.contains("SSH: agent online"));
        assertFalse(launchLog, launchLog.contains("PRIVATE KEY"));
        browser.open(hudson.url() + "openstack-agents/browser/");
        String status = browser.find(By.tagName("body")).getText();
        assertTrue(status, status.contains("Nothing stops them"));
        assertTrue(status, status.matches("(?s).*small\\s+RUNNING\\s+1.*"));
        assertTrue("times as a person reads them: " + status,
                status.matches("(?s).*" + agent + "\\s+RUNNING\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(\\d+ s ago\\).*"));
        assertFalse("no raw ISO instants: " + status, status.matches("(?s).*\\d{2}:\\d{2}:\\d{2}\\.\\d+Z.*"));
        browser.picture("cloud-status", null);
        browser.open(hudson.url() + "openstack-agents/");
        assertTrue(browser.find(By.tagName("body")).getText().contains("browser (" + os.authUrl() + ")"));
        browser.open(hudson.url() + "pluginManager/installed");
        assertTrue(browser.find(By.tagName("body")).getText().contains("OpenStack Agents"));

        String build = awaitBuild("on-openstack", 120);
        assertTrue(build, build.contains("\"result\":\"SUCCESS\""));
        awaitNoServerOf("browser", 120);
        browser.assertConsoleClean();
    }

    /** Scenario 2: of two saved templates, one is deleted with its Delete button; the other survives intact. */
    @Test
    public void aDeletedTemplateLeavesTheOtherIntact() throws Exception {
        ConfigurePage page = ConfigurePage.open(browser, hudson);
        CloudSection cloud = newCloud(page, "browser-two");
        fillTemplate(cloud.templates().get(0), "first", "first-label", SMALL);
        TemplateSection second = cloud.addTemplate();
        fillTemplate(second, "second", "second-label other", MEDIUM);
        second.type("numExecutors", "2");
        second.type("instanceCap", "4");
        second.type("idleMinutes", "25");
        second.advanced();
        second.type("bootTimeoutMinutes", "7");
        second.type("connectTimeoutMinutes", "8");
        second.type("maxBuildMinutes", "90");
        second.type("remoteFs", "/srv/second");
        second.type("securityGroups", "default");
        second.type("availabilityZone", "nova");
        page.save();
        String both = cloudXml(hudson.configXml(), "browser-two");
        assertTrue(both, both.contains("<name>first</name>") && both.contains("<name>second</name>"));

        page = ConfigurePage.open(browser, hudson);
        cloud = page.cloud("browser-two");
        assertEquals(2, cloud.templates().size());
        cloud.template("first").delete();
        CloudSection c = cloud;
        browser.await("the deleted template gone from the page", d -> c.templates().size() == 1);
        page.save();

        String xml = cloudXml(hudson.configXml(), "browser-two");
        assertFalse(xml, xml.contains("<name>first</name>"));
        for (String kept : new String[] {"<name>second</name>", "<labels>second-label other</labels>",
                "<flavor>" + os.flavorMedium() + "</flavor>", "<image>" + os.imageId() + "</image>",
                "<numExecutors>2</numExecutors>", "<instanceCap>4</instanceCap>", "<idleMinutes>25</idleMinutes>",
                "<bootTimeoutMinutes>7</bootTimeoutMinutes>", "<connectTimeoutMinutes>8</connectTimeoutMinutes>",
                "<maxBuildMinutes>90</maxBuildMinutes>", "<remoteFs>/srv/second</remoteFs>",
                "<securityGroups>default</securityGroups>", "<availabilityZone>nova</availabilityZone>"}) {
            assertTrue(kept + " in " + xml, xml.contains(kept));
        }
        page = ConfigurePage.open(browser, hudson);
        List<TemplateSection> left = page.cloud("browser-two").templates();
        assertEquals(1, left.size());
        assertEquals("second-label other", left.get(0).field("labels").getAttribute("value"));
        left.get(0).awaitOption("flavor", MEDIUM);
        assertEquals(MEDIUM, left.get(0).select("flavor").getFirstSelectedOption().getText());
        browser.assertConsoleClean();
    }

    /** Scenario 3: each wrong value, as typed, is answered by a sentence below its field. */
    @Test
    public void eachWrongValueIsSaidBelowItsField() throws Exception {
        ConfigurePage page = ConfigurePage.open(browser, hudson);
        CloudSection cloud = page.addOpenStackCloud();
        cloud.advanced();
        cloud.templates().get(0).advanced();
        // every field's help opens and shows its text
        int helps = 0;
        for (org.openqa.selenium.WebElement help : cloud.root().findElements(By.xpath(".//a[contains(@class,'help-button')]"))) {
            if (help.isDisplayed()) {
                String text = FormSection.openHelp(browser, help);
                assertFalse(text, text.contains("Loading") || text.contains("404"));
                helps++;
            }
        }
        System.out.println("help texts opened: " + helps);
        assertTrue("help texts opened: " + helps, helps >= 25);
        String[][] cloudCases = {
            {"name", "has space", "Use at most 40 letters"},
            {"authUrl", "keystone:5000", "Not an http(s) URL: keystone:5000"},
            {"authUrl", "https://keystone.example.com/v2.0", "Keystone v3 URLs usually end in /v3."},
            {"instanceCap", "-1", "Instance cap must be between 0 and 10000."},
        };
        expectMessages(cloud, cloudCases);
        expectMessages(cloud, new String[][] {
            {"requestsPerSecond", "0", "Requests per second must be between 1 and 100."},
            {"limitsIntervalSeconds", "often", "The limits interval must be a whole number."},
            {"jenkinsUrl", "ftp://jenkins/", "Not an http(s) URL: ftp://jenkins/"},
        });
        TemplateSection t = cloud.templates().get(0);
        expectMessages(t, new String[][] {
            {"labels", "linux && arm", "'&&' is not a label"},
            {"numExecutors", "0", "Executors must be between 1 and 100."},
            {"instanceCap", "ten", "Instance cap must be a whole number."},
            {"idleMinutes", "-5", "Idle minutes must be between 0 and 10080."},
            {"spareAgents", "-1", "Spare agents must be between 0 and 1000."},
        });
        expectMessages(t, new String[][] {
            {"bootTimeoutMinutes", "0", "Boot timeout must be between 1 and 1440."},
            {"connectTimeoutMinutes", "soon", "Connect timeout must be a whole number."},
            {"maxBuildMinutes", "-1", "Maximum build time must be between 0 and 10080."},
            {"spareMaxAgeMinutes", "a day", "Spare max age must be a whole number."},
            {"remoteFs", "relative/dir", "Give an absolute path on the agent"},
            {"userData", "#!/bin/sh\necho hello", "does not use ${SSH_HOST_KEY_PRIVATE} and ${SSH_AUTHORIZED_KEY}"},
            {"sshPort", "70000", "The SSH port must be between 1 and 65535."},
            {"sshUser", "Jenkins User", "Not a user name"},
        });
        // the user data is checked for the launch method chosen
        t.select("launchMethod").selectByVisibleText("Inbound: the server connects to the controller");
        t.type("userData", "#!/bin/sh\necho hello again");
        t.awaitMessage("userData", "does not use ${AGENT_NAME} and ${AGENT_SECRET}");
        // a script too large for Nova: most of it pasted, the last character typed
        StringBuilder big = new StringBuilder("#!/bin/sh\n");
        while (big.length() < 50_000) {
            big.append("echo ${AGENT_NAME} ${AGENT_SECRET}\n");
        }
        org.openqa.selenium.WebElement userData = t.field("userData");
        browser.script("arguments[0].value = arguments[1];", userData, big.toString());
        userData.sendKeys(org.openqa.selenium.Keys.END, "#", org.openqa.selenium.Keys.TAB);
        String tooBig = t.awaitMessage("userData", "Too large for Nova");
        System.out.println("userData: " + tooBig);
        browser.assertConsoleClean();
    }

    private void expectMessages(FormSection section, String[][] cases) {
        for (String[] c : cases) {
            section.type(c[0], c[1]);
            String m = section.awaitMessage(c[0], c[2]);
            System.out.println(c[0] + " = '" + c[1] + "': " + m);
        }
    }

    /**
     * Scenario 4: Save refuses what cannot work with one sentence naming the field, and the saved configuration is
     * kept, on disk and on the page.
     */
    @Test
    public void saveRefusesWhatCannotWorkAndKeepsTheSavedConfiguration() throws Exception {
        ConfigurePage page = ConfigurePage.open(browser, hudson);
        fillTemplate(newCloud(page, "browser-kept").templates().get(0), "kept", "kept-label", SMALL);
        page.save();
        String saved = hudson.configXml();
        assertTrue(saved, saved.contains("<name>browser-kept</name>"));

        String[][] cases = {
            // field, bad value, what the answer says
            {"authUrl", "ftp://keystone.example.com/v3", "Keystone URL: Not an http(s) URL: ftp://keystone.example.com/v3"},
            {"instanceCap", "ten", "Instance cap: 'ten' is not a whole number."},
            {"template:bootTimeoutMinutes", "0", "Boot timeout: Boot timeout must be between 1 and 1440."},
            {"template:numExecutors", "1.5", "Executors: '1.5' is not a whole number."},
            {"template:extraNetworks", "", "Additional networks: A row has no network chosen: choose one, or delete"
                    + " the row."},
        };
        for (String[] c : cases) {
            page = ConfigurePage.open(browser, hudson);
            CloudSection cloud = page.cloud("browser-kept");
            if (c[0].startsWith("template:")) {
                TemplateSection t = cloud.template("kept");
                String field = c[0].substring("template:".length());
                if (field.equals("bootTimeoutMinutes")) {
                    t.advanced();
                }
                if (field.equals("extraNetworks")) {
                    t.addNetwork().awaitOption("id", "browser-net-2"); // a row added, its network not chosen
                } else {
                    t.type(field, c[1]);
                }
            } else {
                cloud.type(c[0], c[1]);
            }
            page.save();
            String answer = page.text();
            System.out.println("Save with " + c[0] + " = '" + c[1] + "': " + answer);
            assertTrue(answer, answer.contains("Cloud 'browser-kept'"));
            assertTrue(answer, answer.contains(c[2]));
            assertTrue(answer, answer.contains("The clouds were not changed."));
            browser.expectSevere("/configSubmit", "/configSubmit - Failed to load resource: the server responded with"
                    + " a status of 400 (Bad Request)");
            assertEquals("config.xml after " + c[0] + " = " + c[1], saved, hudson.configXml());
        }
        // a template whose flavor and image the cloud could not list (no credentials yet): refused too
        page = ConfigurePage.open(browser, hudson);
        CloudSection unlisted = page.addOpenStackCloud();
        unlisted.type("name", "browser-unlisted");
        unlisted.type("authUrl", os.authUrl());
        TemplateSection t = unlisted.templates().get(0);
        t.type("name", "t");
        t.type("labels", "unlisted");
        page.save();
        String answer = page.text();
        assertTrue(answer, answer.contains("Cloud 'browser-unlisted', template 't': Flavor: Choose a flavor."));
        browser.expectSevere("/configSubmit", "/configSubmit - Failed to load resource: the server responded with"
                + " a status of 400 (Bad Request)");
        assertEquals(saved, hudson.configXml());

        page = ConfigurePage.open(browser, hudson);
        assertEquals(os.authUrl(), page.cloud("browser-kept").field("authUrl").getAttribute("value"));
        browser.assertConsoleClean();
    }

    /**
     * Scenario 5: a template that cannot start (its flavor was deleted from the cloud after it was configured) says
     * why on the status page and below its field, and once in the log, while its build waits.
     */
    @Test
    public void aTemplateThatCannotStartSaysWhyOnTheStatusPage() throws Exception {
        String flavorId = doomedFlavor;
        ConfigurePage page = ConfigurePage.open(browser, hudson);
        fillTemplate(newCloud(page, "browser-doomed").templates().get(0), "doomed", "doomed-label",
                "browser-doomed (1 vCPU, 512 MB)");
        page.save();
        api.deleteFlavor(flavorId);
        doomedFlavorDeleted = true;

        hudson.createJob("doomed", "doomed-label", "true");
        hudson.build("doomed");
        browser.open(hudson.url() + "openstack-agents/browser-doomed/");
        String status = browser.await("the template's problem on the status page", d -> {
            d.navigate().refresh();
            String text = d.findElement(By.id("problems")).getText();
            return text.contains("Template doomed cannot start agents") ? text : null;
        });
        System.out.println("status page: " + status);
        assertTrue(status, status.contains("has no flavor '" + flavorId + "'"));
        String queue = hudson.api("queue/");
        assertTrue("the build still waits: " + queue, queue.contains("doomed"));
        String whole = browser.find(By.tagName("body")).getText();
        assertTrue(whole, whole.contains("None: the plugin has no server in this cloud."));

        // the configuration page, opened again: its check answers from the cloud's lists, which the forms share
        // for a few seconds, so a page opened just after the delete may still find the flavor (and show no message)
        String below = null;
        for (int i = 0; i < 10 && below == null; i++) {
            try {
                below = ConfigurePage.open(browser, hudson).cloud("browser-doomed").template("doomed")
                        .awaitMessage("flavor", "no flavor", Duration.ofSeconds(6));
            } catch (org.openqa.selenium.TimeoutException stillListed) {
                System.out.println("no message below the flavor yet: opening the page again");
            }
        }
        assertTrue(String.valueOf(below), below != null
                && below.contains("The cloud has no flavor '" + flavorId + "'"));

        String log = hudson.log();
        int lines = log.split("cannot start agents of template doomed", -1).length - 1;
        assertEquals("log lines about the template: " + log, 1, lines);
        browser.assertConsoleClean();
    }

    /** The part of config.xml that holds the cloud of this name. */
    private static String cloudXml(String xml, String name) {
        String open = "<" + ConfigurePage.CLOUD_CLASS + ">";
        for (String part : xml.split(java.util.regex.Pattern.quote(open))) {
            int end = part.indexOf("</" + ConfigurePage.CLOUD_CLASS + ">");
            if (end > 0 && part.substring(0, end).contains("<name>" + name + "</name>")) {
                return part.substring(0, end);
            }
        }
        throw new AssertionError("no cloud " + name + " in config.xml:\n" + xml);
    }

    /** The job's last build once it runs on an agent. */
    private String awaitRunning(String job, int seconds) throws Exception {
        return awaitLastBuild(job, seconds, "started", json -> json.contains("\"builtOn\":\""));
    }

    /** The job's last build once it has finished. */
    private String awaitBuild(String job, int seconds) throws Exception {
        return awaitLastBuild(job, seconds, "finished",
                json -> !json.contains("\"building\":true") && !json.contains("\"result\":null"));
    }

    private String awaitLastBuild(String job, int seconds, String what, java.util.function.Predicate<String> done)
            throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (System.currentTimeMillis() < deadline) {
            String json = hudson.api("job/" + job + "/lastBuild/");
            if (json != null && done.test(json)) {
                return json;
            }
            Thread.sleep(250);
        }
        fail("no build of " + job + " " + what + " within " + seconds + " s; Hudson's log:\n" + hudson.log());
        return null;
    }

    private void awaitNoServerOf(String cloud, int seconds) throws Exception {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        List<String> left = api.serversOf(cloud);
        while (!left.isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(1000);
            left = api.serversOf(cloud);
        }
        for (String id : left) {
            api.deleteServer(id);
        }
        assertEquals("servers of cloud " + cloud + " left on Nova", List.of(), left);
    }
}
