package io.jenkins.plugins.openstackagents;

import hudson.Util;
import hudson.model.Hudson;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import hudson.util.Secret;
import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Image;
import io.jenkins.plugins.openstackagents.nova.Limits;
import io.jenkins.plugins.openstackagents.nova.Network;
import java.util.List;
import java.util.logging.Logger;
import org.kohsuke.stapler.Stapler;
import org.kohsuke.stapler.StaplerRequest;

/**
 * The web methods of the configuration form that talk to the cloud: Test Connection and the flavor, image and
 * network lists. Each requires the administer permission and a POST, and uses only what the form sent.
 */
final class CloudForms {

    private static final Logger LOGGER = Logger.getLogger(CloudForms.class.getName());

    enum Kind { FLAVOR, IMAGE, NETWORK }

    private CloudForms() {
    }

    /** Connection settings from form values; secrets arrive encrypted (as the form shows them) or in clear. */
    static ConnectionSettings settings(String authUrl, String region, boolean verifyTls, String username,
                                       String password, String projectName, String domainName,
                                       String applicationCredentialId, String applicationCredentialSecret) {
        return OpenStackCloud.settings(Util.fixNull(authUrl).trim(), region, verifyTls, username,
                Secret.fromString(password), projectName, domainName, applicationCredentialId,
                Secret.fromString(applicationCredentialSecret));
    }

    private static boolean allowed() {
        Hudson.getInstance().checkPermission(Hudson.ADMINISTER);
        StaplerRequest req = Stapler.getCurrentRequest();
        return req == null || "POST".equals(req.getMethod());
    }

    static FormValidation testConnection(ConnectionSettings settings) {
        if (!allowed()) {
            return FormValidation.error("Test Connection must be sent as POST.");
        }
        FormValidation incomplete = incomplete(settings);
        if (incomplete != null) {
            return incomplete;
        }
        Compute compute = OpenStackCloud.descriptor().connect(settings);
        Limits limits;
        List<Flavor> flavors;
        try {
            limits = compute.limits();
            flavors = compute.flavors();
        } catch (ComputeException e) {
            LOGGER.info("Test Connection to " + settings.authUrl() + " failed: " + e.getMessage());
            return FormValidation.error(e.getMessage());
        }
        StringBuilder ok = new StringBuilder("Connected. Nova limits: ")
                .append(usage(limits.usedInstances(), limits.maxInstances())).append(" instances, ")
                .append(usage(limits.usedCores(), limits.maxCores())).append(" cores, ")
                .append(usage(limits.usedRamMb(), limits.maxRamMb())).append(" MB RAM used; ")
                .append(flavors.size()).append(" flavors");
        try {
            ok.append(", ").append(compute.images().size()).append(" images");
            ok.append(", ").append(compute.networks().size()).append(" networks.");
        } catch (ComputeException e) {
            return FormValidation.warning(ok + ". But: " + e.getMessage());
        }
        if (limits.maxInstances() >= 0 && limits.usedInstances() >= limits.maxInstances()) {
            return FormValidation.warning(ok + " The instance quota is used up: no agent can start now.");
        }
        return FormValidation.ok(ok.toString());
    }

    private static String usage(int used, int max) {
        return used + "/" + (max < 0 ? "unlimited" : Integer.toString(max));
    }

    private static FormValidation incomplete(ConnectionSettings s) {
        FormValidation url = FormChecks.authUrl(s.authUrl());
        if (url.kind == FormValidation.Kind.ERROR) {
            return url;
        }
        if (s.credentials() instanceof ConnectionSettings.Password) {
            ConnectionSettings.Password p = (ConnectionSettings.Password) s.credentials();
            if (p.user().isEmpty() || p.password().isEmpty() || p.project().isEmpty()) {
                return FormValidation.error("Enter a user name, password and project, or an application credential.");
            }
        } else {
            ConnectionSettings.ApplicationCredential a = (ConnectionSettings.ApplicationCredential) s.credentials();
            if (a.secret().isEmpty()) {
                return FormValidation.error("Enter the application credential's secret.");
            }
        }
        return null;
    }

    static ListBoxModel fill(Kind kind, String current, String authUrl, String region, boolean verifyTls,
                             String username, String password, String projectName, String domainName,
                             String applicationCredentialId, String applicationCredentialSecret) {
        ListBoxModel m = new DropdownOptions();
        if (kind == Kind.NETWORK) {
            m.add(new ListBoxModel.Option("(none: Nova's default)", "", Util.fixEmpty(current) == null));
        }
        if (!allowed()) {
            return keep(m, current);
        }
        ConnectionSettings s = settings(authUrl, region, verifyTls, username, password, projectName, domainName,
                applicationCredentialId, applicationCredentialSecret);
        if (incomplete(s) != null) {
            return keep(m, current);
        }
        try {
            Compute compute = OpenStackCloud.descriptor().connect(s);
            switch (kind) {
                case FLAVOR:
                    for (Flavor f : compute.flavors()) {
                        m.add(new ListBoxModel.Option(f.name() + " (" + f.vcpus() + " vCPU, " + f.ramMb() + " MB)",
                                f.id(), f.id().equals(current)));
                    }
                    break;
                case IMAGE:
                    for (Image i : compute.images()) {
                        m.add(new ListBoxModel.Option(i.name(), i.id(), i.id().equals(current)));
                    }
                    break;
                default:
                    for (Network n : compute.networks()) {
                        m.add(new ListBoxModel.Option(n.name(), n.id(), n.id().equals(current)));
                    }
            }
        } catch (ComputeException e) {
            LOGGER.fine("Listing " + kind + " failed: " + e.getMessage());
        }
        return keep(m, current);
    }

    /**
     * The check of a flavor, image or network field: required (but the network), and, when the cloud answers,
     * one it lists. When the form cannot reach the cloud yet, only the first is said: Test Connection says why.
     */
    static FormValidation exists(Kind kind, String value, String authUrl, String region, boolean verifyTls,
                                 String username, String password, String projectName, String domainName,
                                 String applicationCredentialId, String applicationCredentialSecret) {
        String what = kind.name().toLowerCase(java.util.Locale.ROOT);
        if (Util.fixEmptyAndTrim(value) == null) {
            return kind == Kind.NETWORK ? FormValidation.ok() : FormValidation.error("Choose " + ("image".equals(what)
                    ? "an " : "a ") + what + ".");
        }
        if (!allowed()) {
            return FormValidation.ok();
        }
        ConnectionSettings s = settings(authUrl, region, verifyTls, username, password, projectName, domainName,
                applicationCredentialId, applicationCredentialSecret);
        if (incomplete(s) != null) {
            return FormValidation.ok();
        }
        java.util.List<String> known = new java.util.ArrayList<String>();
        try {
            Compute compute = OpenStackCloud.descriptor().connect(s);
            switch (kind) {
                case FLAVOR:
                    for (Flavor f : compute.flavors()) {
                        known.add(f.id());
                    }
                    break;
                case IMAGE:
                    for (Image i : compute.images()) {
                        known.add(i.id());
                    }
                    break;
                default:
                    for (Network n : compute.networks()) {
                        known.add(n.id());
                    }
            }
        } catch (ComputeException e) {
            LOGGER.fine("Checking " + what + " " + value + " failed: " + e.getMessage());
            return FormValidation.ok();
        }
        return known.contains(value.trim()) ? FormValidation.ok() : FormValidation.error("The cloud has no " + what
                + " '" + value.trim() + "' (it may have been deleted): choose another.");
    }

    /** Never drops the configured value, even when the cloud cannot list it now. */
    private static ListBoxModel keep(ListBoxModel m, String current) {
        if (Util.fixEmpty(current) == null) {
            return m;
        }
        for (ListBoxModel.Option o : m) {
            if (current.equals(o.value)) {
                return m;
            }
        }
        m.add(new ListBoxModel.Option(current, current, true));
        return m;
    }
}
