package io.jenkins.plugins.openstackagents;

import hudson.util.FormValidation;
import hudson.util.ListBoxModel;

/** Test Connection and the dropdowns against the real Keystone, Nova, Glance and Neutron. */
public class CloudFormsIT extends LiveOpenStackTestCase {

    private FormValidation testConnection(String authUrl, String user, String password, String project) {
        return OpenStackCloud.descriptor().doTestConnection(authUrl, os.region(), true, user, password, project,
                os.domain(), "", "");
    }

    public void testTestConnectionTellsEachFailureApart() {
        FormValidation ok = testConnection(os.authUrl(), os.username(), os.password(), os.project());
        System.out.println("ok: " + ok.getMessage());
        assertEquals(ok.getMessage(), FormValidation.Kind.OK, ok.kind);
        assertTrue(ok.getMessage(), ok.getMessage().contains("/" + os.quotaInstances() + " instances"));

        FormValidation appCred = OpenStackCloud.descriptor().doTestConnection(os.authUrl(), os.region(), true, "", "",
                "", os.domain(), os.appCredId(), os.appCredSecret());
        assertEquals(appCred.getMessage(), FormValidation.Kind.OK, appCred.kind);

        FormValidation badPassword = testConnection(os.authUrl(), os.username(), "not-the-password", os.project());
        FormValidation badProject = testConnection(os.authUrl(), os.username(), os.password(), "no-such-project");
        FormValidation unreachable = testConnection("http://127.0.0.1:9/v3", os.username(), os.password(), os.project());
        FormValidation badRegion = OpenStackCloud.descriptor().doTestConnection(os.authUrl(), "RegionTwo", true,
                os.username(), os.password(), os.project(), os.domain(), "", "");
        for (FormValidation v : new FormValidation[] {badPassword, badProject, unreachable, badRegion}) {
            System.out.println(v.kind + ": " + v.getMessage());
            assertEquals(v.getMessage(), FormValidation.Kind.ERROR, v.kind);
            assertFalse("no secret in the message", v.getMessage().contains(os.password()));
        }
        assertTrue(badPassword.getMessage(), badPassword.getMessage().contains("rejected the credentials"));
        assertTrue(badProject.getMessage(), badProject.getMessage().contains("not for project"));
        assertTrue(unreachable.getMessage(), unreachable.getMessage().contains("Cannot reach"));
        assertTrue(badRegion.getMessage(), badRegion.getMessage().contains("RegionTwo"));
    }

    public void testDropdownsListTheRealFlavorsImagesAndNetworks() {
        AgentTemplate.DescriptorImpl d = hudson.getDescriptorByType(AgentTemplate.DescriptorImpl.class);
        ListBoxModel flavors = d.doFillFlavorItems(os.authUrl(), os.region(), true, "", "", "", os.domain(),
                os.appCredId(), os.appCredSecret(), "");
        ListBoxModel images = d.doFillImageItems(os.authUrl(), os.region(), true, "", "", "", os.domain(),
                os.appCredId(), os.appCredSecret(), "");
        ListBoxModel networks = d.doFillNetworkItems(os.authUrl(), os.region(), true, "", "", "", os.domain(),
                os.appCredId(), os.appCredSecret(), "");
        assertTrue(names(flavors), names(flavors).contains("m1.small (1 vCPU, 512 MB)"));
        assertTrue(names(images), names(images).contains(os.imageName()));
        assertEquals("(none: Nova's default)", networks.get(0).name);
    }

    private static String names(ListBoxModel m) {
        StringBuilder sb = new StringBuilder();
        for (ListBoxModel.Option o : m) {
            sb.append(o.name).append(" = ").append(o.value).append("; ");
        }
        return sb.toString();
    }
}
