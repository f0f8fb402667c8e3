package io.jenkins.plugins.openstackagents;

import hudson.Util;
import hudson.util.FormValidation;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;

/** Every field that can be wrong says so in one sentence, and Test Connection tells a warning from an error. */
public class FormValidationTest extends OpenStackTestCase {

    private OpenStackCloud.DescriptorImpl cloudForm() {
        return hudson.getDescriptorByType(OpenStackCloud.DescriptorImpl.class);
    }

    private AgentTemplate.DescriptorImpl templateForm() {
        return hudson.getDescriptorByType(AgentTemplate.DescriptorImpl.class);
    }

    private FormValidation testConnection(String authUrl, String appCredId) {
        return cloudForm().doTestConnection(authUrl, "RegionOne", true, "jenkins", "pw", "ci", "Default",
                appCredId, "secret");
    }

    public void testFieldChecks() {
        assertEquals(FormValidation.Kind.ERROR, cloudForm().doCheckName("").kind);
        assertEquals(FormValidation.Kind.ERROR, cloudForm().doCheckName("has space").kind);
        assertEquals(FormValidation.Kind.OK, cloudForm().doCheckName("os-1").kind);
        assertEquals(FormValidation.Kind.ERROR, cloudForm().doCheckAuthUrl("").kind);
        assertEquals(FormValidation.Kind.ERROR, cloudForm().doCheckAuthUrl("keystone:5000").kind);
        assertEquals(FormValidation.Kind.ERROR, cloudForm().doCheckAuthUrl("https://bad host/v3").kind);
        assertEquals(FormValidation.Kind.WARNING, cloudForm().doCheckAuthUrl("http://keystone.example.com/v3").kind);
        assertEquals(FormValidation.Kind.WARNING, cloudForm().doCheckAuthUrl("https://keystone.example.com/v2.0").kind);
        assertEquals(FormValidation.Kind.OK, cloudForm().doCheckAuthUrl("https://keystone.example.com:5000/v3").kind);
        assertEquals(FormValidation.Kind.OK, cloudForm().doCheckAuthUrl("http://127.0.0.1:5000/v3").kind);
        assertEquals(FormValidation.Kind.ERROR, cloudForm().doCheckInstanceCap("-1").kind);
        assertEquals(FormValidation.Kind.ERROR, cloudForm().doCheckInstanceCap("ten").kind);
        assertEquals(FormValidation.Kind.ERROR, cloudForm().doCheckProjectName("", "jenkins", "").kind);
        assertEquals(FormValidation.Kind.OK, cloudForm().doCheckProjectName("", "", "appcred").kind);
        assertEquals("a new cloud, nothing typed yet", FormValidation.Kind.OK,
                cloudForm().doCheckProjectName("", "", "").kind);
        assertEquals(FormValidation.Kind.ERROR, cloudForm().doCheckJenkinsUrl("ftp://x/").kind);

        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckLabels("  ").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckLabels("a && (b").kind);
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckLabels("openstack linux").kind);
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckSpareAgents("", "0").kind);
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckSpareAgents("2", "0").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckSpareAgents("-1", "0").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckSpareAgents("two", "").kind);
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckSpareMaxAgeMinutes("").kind);
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckSpareMaxAgeMinutes("720").kind);
        assertEquals("Spare max age must be between 0 and 43200.",
                templateForm().doCheckSpareMaxAgeMinutes("43201").getMessage());
        FormValidation overCap = templateForm().doCheckSpareAgents("5", "3");
        assertEquals(FormValidation.Kind.WARNING, overCap.kind);
        assertTrue(overCap.getMessage(), overCap.getMessage().contains("More than the instance cap (3)"));
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckFlavor("", "", "", true, "", "", "", "", "",
                "").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckImage("", "", "", true, "", "", "", "", "",
                "").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckNumExecutors("0").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckIdleMinutes("-5").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckBootTimeoutMinutes("0").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckRemoteFs("relative/dir").kind);
        StringBuilder huge = new StringBuilder("#!/bin/sh\n");
        while (huge.length() < 50_000) {
            huge.append("echo ${AGENT_NAME} ${AGENT_SECRET}\n");
        }
        FormValidation tooBig = templateForm().doCheckUserData(huge.toString(), "inbound");
        assertEquals(FormValidation.Kind.ERROR, tooBig.kind);
        assertTrue(tooBig.getMessage(), tooBig.getMessage().contains("base64"));
        assertEquals(FormValidation.Kind.WARNING, templateForm().doCheckUserData("#!/bin/sh\necho hi\n", "inbound").kind);
        // SSH: a cloud-config that installs neither key would be refused or locked out: said where it is typed
        FormValidation noKeys = templateForm().doCheckUserData("#cloud-config\npackages: [git]\n", "ssh");
        assertEquals(FormValidation.Kind.WARNING, noKeys.kind);
        assertTrue(noKeys.getMessage(), noKeys.getMessage().contains("${SSH_HOST_KEY_PRIVATE}"));
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckUserData("", "ssh").kind);
        // inbound: the truth at the field
        FormValidation inbound = templateForm().doCheckLaunchMethod("inbound");
        assertEquals(FormValidation.Kind.WARNING, inbound.kind);
        assertTrue(inbound.getMessage(), inbound.getMessage().contains("secret key: it goes into the user data"));
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckLaunchMethod("ssh").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckSshPort("70000").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckSshUser("Root User").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckSshPrivateKey("not a key", "ci-key").kind);
        String key = io.jenkins.plugins.openstackagents.ssh.SshKeys.privateKeyText(
                io.jenkins.plugins.openstackagents.ssh.SshKeys.generate());
        FormValidation good = templateForm().doCheckSshPrivateKey(key, "ci-key");
        assertEquals(FormValidation.Kind.OK, good.kind);
    }

    public void testTestConnectionReportsLimitsOrTheCloudsOwnSentence() {
        FormValidation ok = testConnection("https://keystone.example.com:5000/v3", "");
        assertEquals(ok.getMessage(), FormValidation.Kind.OK, ok.kind);
        assertTrue(ok.getMessage(), ok.getMessage().contains("0/10 instances"));

        String[] failures = {
            "Cannot reach https://keystone.example.com:5000/v3: connection refused",
            "Keystone rejected the credentials (HTTP 401): check the user name, password, project and domain",
            "The TLS certificate of keystone.example.com is not trusted",
            "Region 'RegionTwo' has no compute endpoint (the catalog has: RegionOne)",
        };
        for (String f : failures) {
            compute.failNext(InMemoryCompute.Op.LIMITS, new ComputeException(ComputeException.Kind.PERMANENT, f));
            FormValidation v = testConnection("https://keystone.example.com:5000/v3", "");
            assertEquals(FormValidation.Kind.ERROR, v.kind);
            assertTrue(v.getMessage(), v.getMessage().contains(Util.escape(f)));
        }

        compute.failNext(InMemoryCompute.Op.NETWORKS,
                new ComputeException(ComputeException.Kind.TRANSIENT, "Neutron is unavailable (HTTP 503)"));
        FormValidation partial = testConnection("https://keystone.example.com:5000/v3", "");
        assertEquals(FormValidation.Kind.WARNING, partial.kind);
        assertTrue(partial.getMessage(), partial.getMessage().contains("Neutron is unavailable"));

        FormValidation missing = cloudForm().doTestConnection("https://k.example.com/v3", "", true, "", "", "", "",
                "", "");
        assertEquals(FormValidation.Kind.ERROR, missing.kind);
        assertEquals(FormValidation.Kind.ERROR, testConnection("not a url", "").kind);
    }

    public void testTestConnectionWarnsWhenQuotaIsUsedUp() {
        compute.quota(0, -1, -1);
        FormValidation v = testConnection("https://keystone.example.com:5000/v3", "appcred-id");
        assertEquals(FormValidation.Kind.WARNING, v.kind);
        assertTrue(v.getMessage(), v.getMessage().contains("quota is used up"));
    }

    /** A flavor, image or network the cloud does not list is said next to the field once the cloud answers. */
    public void testChecksOfFlavorImageAndNetworkAskTheCloud() {
        String url = "https://k.example.com/v3";
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckFlavor("1", url, "", true, "u", "p", "proj",
                "Default", "", "").kind);
        FormValidation gone = templateForm().doCheckFlavor("999", url, "", true, "u", "p", "proj", "Default", "", "");
        assertEquals(FormValidation.Kind.ERROR, gone.kind);
        assertTrue(gone.getMessage(), gone.getMessage().contains("no flavor &#039;999&#039;")
                || gone.getMessage().contains("no flavor '999'"));
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckImage("img-gone", url, "", true, "u", "p",
                "proj", "Default", "", "").kind);
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckNetwork("net-1", url, "", true, "u", "p", "proj",
                "Default", "", "").kind);
        assertEquals("no network: Nova's default", FormValidation.Kind.OK, templateForm().doCheckNetwork("", url, "",
                true, "u", "p", "proj", "Default", "", "").kind);
        assertEquals("a flavor given by name", FormValidation.Kind.OK, templateForm().doCheckFlavor("m1.small", url,
                "", true, "u", "p", "proj", "Default", "", "").kind);
        int listed = compute.calls(InMemoryCompute.Op.FLAVORS);
        assertEquals("the checks of one form read the list once", 1, listed);
        compute.failNext(InMemoryCompute.Op.FLAVORS, new ComputeException(ComputeException.Kind.TRANSIENT, "down"));
        assertEquals("a cloud that does not answer judges nothing", FormValidation.Kind.OK,
                templateForm().doCheckFlavor("999", "https://other.example.com/v3", "", true, "u", "p", "proj",
                        "Default", "", "").kind);
        assertEquals("without credentials the cloud is not asked", FormValidation.Kind.OK,
                templateForm().doCheckFlavor("999", url, "", true, "", "", "", "Default", "", "").kind);
    }

    public void testDropdownsListTheCloudAndKeepTheConfiguredValue() {
        hudson.util.ListBoxModel flavors = templateForm().doFillFlavorItems("https://k.example.com/v3", "", true,
                "u", "p", "proj", "Default", "", "", "1");
        assertEquals(2, flavors.size());
        assertEquals("1", flavors.get(0).value);
        assertTrue(flavors.get(0).selected);
        // refused, not down: a failure that pauses the gate would hold back the network list below as well
        compute.failNext(InMemoryCompute.Op.IMAGES, new ComputeException(ComputeException.Kind.PERMANENT,
                "Glance answered 403"));
        hudson.util.ListBoxModel images = templateForm().doFillImageItems("https://k.example.com/v3", "", true,
                "u", "p", "proj", "Default", "", "", "img-gone");
        assertEquals(1, images.size());
        assertEquals("img-gone", images.get(0).value);
        hudson.util.ListBoxModel networks = templateForm().doFillNetworkItems("https://k.example.com/v3", "", true,
                "u", "p", "proj", "Default", "", "", "");
        assertEquals("", networks.get(0).value);
        assertEquals("net-1", networks.get(1).value);
    }

    /**
     * The floating IP pool offers the external networks after "none"; a row of the additional networks offers the
     * cloud's networks after "(choose a network)" and takes one the cloud lists, by id, not the first network again.
     */
    public void testFloatingIpPoolAndAdditionalNetworks() {
        String url = "https://k.example.com/v3";
        compute.addNetwork(new io.jenkins.plugins.openstackagents.nova.Network("net-2", "second"));
        hudson.util.ListBoxModel pools = templateForm().doFillFloatingIpPoolItems(url, "", true, "u", "p", "proj",
                "Default", "", "", "");
        assertEquals("", pools.get(0).value);
        assertTrue(pools.get(0).selected);
        assertEquals("ext-1", pools.get(1).value);
        assertEquals("public", pools.get(1).name);
        assertEquals("only the external networks", 2, pools.size());
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckFloatingIpPool("ext-1", url, "", true, "u", "p",
                "proj", "Default", "", "").kind);
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckFloatingIpPool("", url, "", true, "u", "p",
                "proj", "Default", "", "").kind);
        FormValidation tenant = templateForm().doCheckFloatingIpPool("net-1", url, "", true, "u", "p", "proj",
                "Default", "", "");
        assertEquals("a tenant network is no pool", FormValidation.Kind.ERROR, tenant.kind);
        assertTrue(tenant.getMessage(), tenant.getMessage().contains("external network"));

        AgentNetwork.DescriptorImpl row = hudson.getDescriptorByType(AgentNetwork.DescriptorImpl.class);
        hudson.util.ListBoxModel more = row.doFillIdItems(url, "", true, "u", "p", "proj", "Default", "", "", "");
        assertEquals("(choose a network)", more.get(0).name);
        assertTrue("a new row has none chosen", more.get(0).selected);
        assertEquals(java.util.List.of("", "net-1", "net-2"), values(more));
        assertEquals("the saved one kept though the cloud lists it no more", "net-7",
                row.doFillIdItems(url, "", true, "u", "p", "proj", "Default", "", "", "net-7").get(3).value);
        assertEquals(FormValidation.Kind.OK, row.doCheckId("net-2", "net-1", url, "", true, "u", "p", "proj",
                "Default", "", "").kind);
        FormValidation noFirst = row.doCheckId("net-2", "", url, "", true, "u", "p", "proj", "Default", "", "");
        assertEquals(FormValidation.Kind.WARNING, noFirst.kind);
        assertTrue(noFirst.getMessage(), noFirst.getMessage().contains("No first network"));
        FormValidation none = row.doCheckId("", "net-1", url, "", true, "u", "p", "proj", "Default", "", "");
        assertEquals(FormValidation.Kind.ERROR, none.kind);
        assertEquals("Choose a network, or delete this row.", none.getMessage());
        FormValidation first = row.doCheckId("net-1", "net-1", url, "", true, "u", "p", "proj", "Default", "", "");
        assertEquals(FormValidation.Kind.ERROR, first.kind);
        assertTrue(first.getMessage(), first.getMessage().contains("first network already"));
        FormValidation unknown = row.doCheckId("net-9", "net-1", url, "", true, "u", "p", "proj", "Default", "", "");
        assertEquals(FormValidation.Kind.ERROR, unknown.kind);
        assertTrue(unknown.getMessage(), unknown.getMessage().contains("net-9"));
        FormValidation byName = row.doCheckId("second", "net-1", url, "", true, "u", "p", "proj", "Default", "", "");
        assertEquals(FormValidation.Kind.ERROR, byName.kind);
        assertTrue(byName.getMessage(), byName.getMessage().contains("choose it by id")
                && byName.getMessage().contains("net-2"));
    }

    /** The security groups are checked by name (or id) against the project's; blank is the default group. */
    public void testSecurityGroupsAreTheProjectsOwn() {
        String url = "https://k.example.com/v3";
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckSecurityGroups("default, ssh", url, "", true, "u",
                "p", "proj", "Default", "", "").kind);
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckSecurityGroups("sg-2", url, "", true, "u", "p",
                "proj", "Default", "", "").kind);
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckSecurityGroups("", url, "", true, "u", "p",
                "proj", "Default", "", "").kind);
        FormValidation unknown = templateForm().doCheckSecurityGroups("default web db", url, "", true, "u", "p",
                "proj", "Default", "", "");
        assertEquals(FormValidation.Kind.ERROR, unknown.kind);
        assertEquals("The project has no security group 'web', 'db'; it has: default, ssh.",
                unknown.getMessage().replace("&#039;", "'"));
        assertEquals("no credentials yet: nothing said", FormValidation.Kind.OK,
                templateForm().doCheckSecurityGroups("web", url, "", true, "u", "", "proj", "Default", "", "").kind);
    }

    /** Save refuses a row of the additional networks with none chosen, naming the template; chosen rows pass. */
    public void testSaveRefusesAnAdditionalNetworkRowWithNoneChosen() throws Exception {
        net.sf.json.JSONObject template = net.sf.json.JSONObject.fromObject("{\"name\":\"two\",\"labels\":\"x\","
                + "\"flavor\":\"1\",\"image\":\"img-1\",\"extraNetworks\":[{\"id\":\"net-2\"},{\"id\":\"\"}]}");
        net.sf.json.JSONObject cloud = net.sf.json.JSONObject.fromObject("{\"name\":\"os\","
                + "\"authUrl\":\"https://k.example.com/v3\"}");
        cloud.put("templates", template);
        try {
            io.jenkins.plugins.openstackagents.forms.FormChecks.requireSaveable(cloud);
            fail("a row with no network saved");
        } catch (hudson.model.Descriptor.FormException e) {
            assertEquals("Cloud 'os', template 'two': Additional networks: A row has no network chosen: choose one, or"
                    + " delete the row. The clouds were not changed.", e.getMessage());
        }
        template.put("extraNetworks", net.sf.json.JSONObject.fromObject("{\"id\":\"net-2\"}"));
        cloud.put("templates", template);
        io.jenkins.plugins.openstackagents.forms.FormChecks.requireSaveable(cloud);
    }

    private static java.util.List<String> values(hudson.util.ListBoxModel m) {
        java.util.List<String> r = new java.util.ArrayList<>();
        for (hudson.util.ListBoxModel.Option o : m) {
            r.add(o.value);
        }
        return r;
    }

    /** Each image, then the newest of each name and of each tag; a name or a tag the cloud has checks as fine. */
    public void testTheImageDropdownOffersNamesAndTagsBesideEachImage() {
        java.time.Instant t0 = java.time.Instant.parse("2026-11-02T10:00:00Z");
        compute.addImage(new io.jenkins.plugins.openstackagents.nova.Image("5c1e0a7d-new", "debian-12", "active",
                t0, java.util.List.of("ci")));
        String url = "https://k.example.com/v3";
        hudson.util.ListBoxModel images = templateForm().doFillImageItems(url, "", true, "u", "p", "proj", "Default",
                "", "", "debian-12");
        java.util.List<String> shown = new java.util.ArrayList<>();
        for (hudson.util.ListBoxModel.Option o : images) {
            shown.add(o.name + " = " + o.value + (o.selected ? " (selected)" : ""));
        }
        assertEquals(java.util.List.of("debian-12 (img-1) = img-1", "debian-12 (5c1e0a7d, 2026-11-02) = 5c1e0a7d-new",
                "Newest image named debian-12 = debian-12 (selected)", "Newest image tagged ci = tag:ci"), shown);
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckImage("debian-12", url, "", true, "u", "p",
                "proj", "Default", "", "").kind);
        assertEquals(FormValidation.Kind.OK, templateForm().doCheckImage("tag:ci", url, "", true, "u", "p",
                "proj", "Default", "", "").kind);
        assertEquals(FormValidation.Kind.ERROR, templateForm().doCheckImage("tag:nightly", url, "", true, "u", "p",
                "proj", "Default", "", "").kind);
    }
}
