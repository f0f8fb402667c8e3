package io.jenkins.plugins.openstackagents;

import hudson.model.Hudson;
import hudson.slaves.Cloud;
import hudson.util.Secret;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** The configuration form gives back what it was given, saves secrets encrypted, and survives a reload. */
public class ConfigRoundTripTest extends OpenStackTestCase {

    public void testCloudWithTwoTemplatesRoundTripsThroughTheFormAndReload() throws Exception {
        AgentTemplate small = new AgentTemplate("small", "openstack linux", "1", "img-1", "", "ci-key",
                "default, ssh", "nova", "#!/bin/sh\necho ${AGENT_NAME}\n", 2, "/srv/agent", 3, 0, 15, 3, 90);
        AgentTemplate big = new AgentTemplate("big", "openstack-big", "2", "img-1", "net-1", "", "", "", "", 4,
                "/home/jenkins/agent", 0, 30, 10, 10, 0);
        String key = io.jenkins.plugins.openstackagents.ssh.SshKeys.privateKeyText(
                io.jenkins.plugins.openstackagents.ssh.SshKeys.generate());
        AgentTemplate ssh = new AgentTemplate("ssh", "openstack-ssh", "1", "img-1", "net-1", "ci-key", "", "", "", 1,
                "/home/ci/agent", 0, 10, 10, 5, 0, AgentTemplate.SSH, "ci", 2222, Secret.fromString(key), 3, 720,
                java.util.List.of(new AgentNetwork("net-2"), new AgentNetwork(" net-3 "), new AgentNetwork(""),
                        new AgentNetwork("net-1"), new AgentNetwork("net-2")), "ext-1");
        OpenStackCloud orig = new OpenStackCloud("os1", "https://keystone.example.com:5000/v3", "RegionOne",
                "jenkins", "pa55word-never-in-clear", "ci", "Default", "", "", true, 7,
                "http://jenkins.example.com/", 30, 4, 120, java.util.List.of(small, big, ssh));
        hudson.clouds.add(orig);
        hudson.save();

        submit(createWebClient().goTo("configure").getFormByName("config"));

        Cloud c = hudson.clouds.getByName("os1");
        assertNotSame(orig, c);
        assertEquals(orig, c);
        assertEquals(3, ((OpenStackCloud) c).getTemplates().size());
        AgentTemplate sshBack = ((OpenStackCloud) c).getTemplate("ssh");
        assertTrue(sshBack.isSsh());
        assertEquals(2222, sshBack.getSshPort());
        assertEquals("ci", sshBack.getSshUser());
        assertEquals(3, sshBack.getSpareAgents());
        assertEquals(720, sshBack.getSpareMaxAgeMinutes());
        assertEquals("rows in order; the blank one, the first network and net-2 again dropped",
                java.util.List.of(new AgentNetwork("net-2"), new AgentNetwork("net-3")), sshBack.getExtraNetworks());
        assertEquals(java.util.List.of("net-1", "net-2", "net-3"), sshBack.networkIds());
        assertEquals("ext-1", sshBack.getFloatingIpPool());
        assertTrue(sshBack.usesFloatingIp());
        assertFalse(((OpenStackCloud) c).getTemplate("small").usesFloatingIp());
        assertEquals("the private key comes back from the form's encrypted field", key,
                Secret.toString(sshBack.getSshPrivateKey()));
        assertFalse("inbound stays inbound", ((OpenStackCloud) c).getTemplate("small").isSsh());
        assertEquals(orig.getTemplates(), ((OpenStackCloud) c).getTemplates());

        String xml = new String(Files.readAllBytes(new File(hudson.getRootDir(), "config.xml").toPath()),
                StandardCharsets.UTF_8);
        assertTrue(xml.contains("io.jenkins.plugins.openstackagents.OpenStackCloud"));
        assertFalse("password saved in clear", xml.contains("pa55word-never-in-clear"));
        assertTrue(xml.contains(orig.getPassword().getEncryptedValue()));
        assertFalse("the SSH private key saved in clear", xml.contains(key.split("\n")[1]));
        String page = createWebClient().goTo("configure").asXml();
        assertFalse("the SSH private key shown in the page", page.contains(key.split("\n")[1]));

        hudson.reload();
        OpenStackCloud reloaded = (OpenStackCloud) Hudson.getInstance().clouds.getByName("os1");
        assertEquals(orig, reloaded);
        assertEquals("pa55word-never-in-clear", Secret.toString(reloaded.getPassword()));
    }

    public void testApplicationCredentialRoundTripsAndIsPreferred() throws Exception {
        OpenStackCloud orig = new OpenStackCloud("os2", "https://keystone.example.com:5000/v3", "", "", "", "",
                "", "0123abcd", "app-secret-never-in-clear", false, 0, "", 0, 0, 0,
                java.util.List.of(template("t", "a b", 10, "/tmp/x")));
        hudson.clouds.add(orig);
        submit(createWebClient().goTo("configure").getFormByName("config"));
        OpenStackCloud c = (OpenStackCloud) hudson.clouds.getByName("os2");
        assertEquals(orig, c);
        assertFalse(c.isVerifyTls());
        assertTrue(c.connectionSettings().credentials()
                instanceof io.jenkins.plugins.openstackagents.nova.ConnectionSettings.ApplicationCredential);
        String xml = new String(Files.readAllBytes(new File(hudson.getRootDir(), "config.xml").toPath()),
                StandardCharsets.UTF_8);
        assertFalse(xml.contains("app-secret-never-in-clear"));
        String page = createWebClient().goTo("configure").asXml();
        assertFalse("secret shown in the page", page.contains("app-secret-never-in-clear"));
        assertFalse("password shown in the page", page.contains("pa55word"));
    }

    /** A template saved before SSH agents existed is inbound, and its default script is the default again. */
    public void testATemplateSavedBeforeSshAgentsIsReadAsInbound() throws Exception {
        AgentTemplate t = (AgentTemplate) Hudson.XSTREAM.fromXML("<io.jenkins.plugins.openstackagents.AgentTemplate>"
                + "<name>old</name><labels>x</labels><flavor>1</flavor><image>img-1</image><securityGroups></securityGroups>"
                + "<userData>"
                + io.jenkins.plugins.openstackagents.pool.UserData.DEFAULT_SCRIPT.replace("&", "&amp;")
                        .replace("<", "&lt;").replace(">", "&gt;")
                + "</userData><numExecutors>1</numExecutors><remoteFs>/a</remoteFs><instanceCap>0</instanceCap>"
                + "<idleMinutes>0</idleMinutes><bootTimeoutMinutes>10</bootTimeoutMinutes>"
                + "<connectTimeoutMinutes>10</connectTimeoutMinutes><maxBuildMinutes>0</maxBuildMinutes>"
                + "</io.jenkins.plugins.openstackagents.AgentTemplate>");
        assertFalse(t.isSsh());
        assertEquals(AgentTemplate.INBOUND, t.getLaunchMethod());
        assertEquals("", t.getUserData());
        assertEquals(io.jenkins.plugins.openstackagents.pool.UserData.DEFAULT_SCRIPT, t.effectiveUserData());
        assertEquals(22, t.getSshPort());
        assertEquals("no spares in a template saved before them", 0, t.getSpareAgents());
        assertEquals("nor a spare max age", 0, t.getSpareMaxAgeMinutes());
        assertEquals("nor a floating IP", "", t.getFloatingIpPool());
        assertEquals("no network: Nova's default", java.util.List.of(), t.networkIds());
    }

    /**
     * A template saved while the additional networks were one text field of ids reads them as rows, in order, each
     * once, none the first network again, and saves the rows only.
     */
    public void testAdditionalNetworksSavedAsTextAreReadAsRows() throws Exception {
        AgentTemplate t = (AgentTemplate) Hudson.XSTREAM.fromXML("<io.jenkins.plugins.openstackagents.AgentTemplate>"
                + "<name>two</name><labels>x</labels><flavor>1</flavor><image>img-1</image><network>net-1</network>"
                + "<securityGroups></securityGroups><userData></userData><numExecutors>1</numExecutors>"
                + "<remoteFs>/a</remoteFs><launchMethod>ssh</launchMethod><sshUser>jenkins</sshUser><sshPort>22</sshPort>"
                + "<additionalNetworks>net-3, net-2 net-1,net-3</additionalNetworks>"
                + "<floatingIpPool>ext-1</floatingIpPool></io.jenkins.plugins.openstackagents.AgentTemplate>");
        assertEquals(java.util.List.of(new AgentNetwork("net-3"), new AgentNetwork("net-2")), t.getExtraNetworks());
        assertEquals(java.util.List.of("net-1", "net-3", "net-2"), t.networkIds());
        assertEquals(3, t.portsPerServer());
        String saved = Hudson.XSTREAM.toXML(t);
        assertFalse(saved, saved.contains("<additionalNetworks>"));
        assertTrue(saved, saved.matches("(?s).*<extraNetworks>\\s*<io.jenkins.plugins.openstackagents.AgentNetwork>"
                + "\\s*<id>net-3</id>\\s*</io.jenkins.plugins.openstackagents.AgentNetwork>\\s*"
                + "<io.jenkins.plugins.openstackagents.AgentNetwork>\\s*<id>net-2</id>.*"));
        assertEquals(t, Hudson.XSTREAM.fromXML(saved));
    }
}
