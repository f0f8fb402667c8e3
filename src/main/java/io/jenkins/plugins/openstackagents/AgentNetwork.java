package io.jenkins.plugins.openstackagents;

import hudson.Extension;
import hudson.RelativePath;
import hudson.Util;
import hudson.model.AbstractDescribableImpl;
import hudson.model.Descriptor;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.jenkins.plugins.openstackagents.forms.CloudForms;
import io.jenkins.plugins.openstackagents.forms.CloudListings;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.QueryParameter;

/**
 * One of a template's additional networks (after its first): each server gets a port on it, in the template's order.
 * A row of the template's form with a dropdown of the cloud's networks.
 */
public final class AgentNetwork extends AbstractDescribableImpl<AgentNetwork> {

    private final String id;

    @DataBoundConstructor
    public AgentNetwork(String id) {
        this.id = Util.fixNull(id).trim();
    }

    /** The network's id; "" for a row left without a choice (dropped by the template). */
    public String getId() {
        return id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AgentNetwork && id.equals(((AgentNetwork) o).id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return id;
    }

    /** The form's row: the cloud's connection settings are two levels up (this row, then its template). */
    @Extension
    public static final class DescriptorImpl extends Descriptor<AgentNetwork> {

        @Override
        public String getDisplayName() {
            return "Network";
        }

        public ListBoxModel doFillIdItems(
                @RelativePath("../..") @QueryParameter String authUrl, @RelativePath("../..") @QueryParameter String region,
                @RelativePath("../..") @QueryParameter boolean verifyTls,
                @RelativePath("../..") @QueryParameter String username,
                @RelativePath("../..") @QueryParameter String password,
                @RelativePath("../..") @QueryParameter String projectName,
                @RelativePath("../..") @QueryParameter String domainName,
                @RelativePath("../..") @QueryParameter String applicationCredentialId,
                @RelativePath("../..") @QueryParameter String applicationCredentialSecret,
                @QueryParameter String id) {
            return OpenStackCloud.descriptor().forms().fillAnother(CloudListings.Kind.NETWORK, id, CloudForms.settings(
                    authUrl, region, verifyTls, username, password, projectName, domainName, applicationCredentialId,
                    applicationCredentialSecret));
        }

        public FormValidation doCheckId(
                @QueryParameter String value, @RelativePath("..") @QueryParameter String network,
                @RelativePath("../..") @QueryParameter String authUrl, @RelativePath("../..") @QueryParameter String region,
                @RelativePath("../..") @QueryParameter boolean verifyTls,
                @RelativePath("../..") @QueryParameter String username,
                @RelativePath("../..") @QueryParameter String password,
                @RelativePath("../..") @QueryParameter String projectName,
                @RelativePath("../..") @QueryParameter String domainName,
                @RelativePath("../..") @QueryParameter String applicationCredentialId,
                @RelativePath("../..") @QueryParameter String applicationCredentialSecret) {
            return OpenStackCloud.descriptor().forms().another(CloudListings.Kind.NETWORK, value, network,
                    CloudForms.settings(authUrl, region, verifyTls, username, password, projectName, domainName,
                            applicationCredentialId, applicationCredentialSecret));
        }
    }
}
