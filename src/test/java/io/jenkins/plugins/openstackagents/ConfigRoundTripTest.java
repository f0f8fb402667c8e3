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
        OpenStackCloud orig = new OpenStackCloud("os1", "https://keystone.example.com:5000/v3", "RegionOne",
                "jenkins", "pa55word-never-in-clear", "ci", "Default", "", "", true, 7,
                "http://jenkins.example.com/", 30, 4, 120, java.util.List.of(small, big));
        hudson.clouds.add(orig);
        hudson.save();

        submit(createWebClient().goTo("configure").getFormByName("config"));

        Cloud c = hudson.clouds.getByName("os1");
        assertNotSame(orig, c);
        assertEquals(orig, c);
        assertEquals(2, ((OpenStackCloud) c).getTemplates().size());
        assertEquals(orig.getTemplates(), ((OpenStackCloud) c).getTemplates());

        String xml = new String(Files.readAllBytes(new File(hudson.getRootDir(), "config.xml").toPath()),
                StandardCharsets.UTF_8);
        assertTrue(xml.contains("io.jenkins.plugins.openstackagents.OpenStackCloud"));
        assertFalse("password saved in clear", xml.contains("pa55word-never-in-clear"));
        assertTrue(xml.contains(orig.getPassword().getEncryptedValue()));

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
}
