package io.jenkins.plugins.openstackagents.forms;

import hudson.Util;
import hudson.model.Hudson;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import hudson.util.Secret;
import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Limits;
import java.time.Duration;
import java.util.List;
import java.util.logging.Logger;
import org.kohsuke.stapler.Stapler;
import org.kohsuke.stapler.StaplerRequest;

/**
 * The web methods of the configuration form that talk to the cloud: Test Connection and the flavor, image and
 * network lists. Each requires the administer permission and a POST, and uses only what the form sent.
 */
public final class CloudForms {

    private static final Logger LOGGER = Logger.getLogger(CloudForms.class.getName());

    /** The project's domain when the form names none. */
    public static final String DEFAULT_DOMAIN = "Default";

    private final FormConnections connections;
    private final CloudListings listings = new CloudListings();

    public CloudForms(FormConnections connections) {
        this.connections = connections;
    }

    /**
     * The connection settings of a cloud, as one value, from what its form (or its saved configuration) holds:
     * an application credential when its id is given, else a user name, password and project. Secrets arrive
     * encrypted (as the form shows them) or in clear.
     */
    public static ConnectionSettings settings(String authUrl, String region, boolean verifyTls, String username,
                                              Secret password, String projectName, String domainName,
                                              String applicationCredentialId, Secret applicationCredentialSecret) {
        ConnectionSettings.Credentials c;
        if (Util.fixEmptyAndTrim(applicationCredentialId) != null) {
            c = new ConnectionSettings.ApplicationCredential(applicationCredentialId.trim(),
                    Secret.toString(applicationCredentialSecret));
        } else {
            String domain = Util.fixEmptyAndTrim(domainName) == null ? DEFAULT_DOMAIN : domainName.trim();
            c = new ConnectionSettings.Password(Util.fixNull(username).trim(), Secret.toString(password),
                    Util.fixNull(projectName).trim(), domain);
        }
        return new ConnectionSettings(Util.fixNull(authUrl).trim(), Util.fixEmptyAndTrim(region), c, verifyTls,
                Duration.ofSeconds(10), Duration.ofSeconds(30));
    }

    /** {@link #settings(String, String, boolean, String, Secret, String, String, String, Secret)} from form fields. */
    public static ConnectionSettings settings(String authUrl, String region, boolean verifyTls, String username,
                                              String password, String projectName, String domainName,
                                              String applicationCredentialId, String applicationCredentialSecret) {
        return settings(authUrl, region, verifyTls, username, Secret.fromString(password), projectName, domainName,
                applicationCredentialId, Secret.fromString(applicationCredentialSecret));
    }

    private static boolean allowed() {
        Hudson.getInstance().checkPermission(Hudson.ADMINISTER);
        StaplerRequest req = Stapler.getCurrentRequest();
        return req == null || "POST".equals(req.getMethod());
    }

    public FormValidation testConnection(ConnectionSettings settings) {
        if (!allowed()) {
            return FormValidation.error("Test Connection must be sent as POST.");
        }
        FormValidation incomplete = incomplete(settings);
        if (incomplete != null) {
            return incomplete;
        }
        Compute compute = connections.connect(settings);
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

    /** The options of a flavor, image or network dropdown, as the cloud lists them; the configured one kept. */
    public ListBoxModel fill(CloudListings.Kind kind, String current, ConnectionSettings settings) {
        ListBoxModel m = new DropdownOptions();
        if (kind == CloudListings.Kind.NETWORK) {
            m.add(new ListBoxModel.Option("(none: Nova's default)", "", Util.fixEmpty(current) == null));
        } else if (kind == CloudListings.Kind.EXTERNAL_NETWORK) {
            m.add(new ListBoxModel.Option("(none: agents are reached at their first network's address)", "",
                    Util.fixEmpty(current) == null));
        }
        return listed(m, kind, current, settings);
    }

    /**
     * The options of a dropdown that adds one more item of a list (an additional network): "(choose a network)"
     * first, selected while none is chosen, then what the cloud lists; the configured one kept.
     */
    public ListBoxModel fillAnother(CloudListings.Kind kind, String current, ConnectionSettings settings) {
        ListBoxModel m = new DropdownOptions();
        m.add(new ListBoxModel.Option("(choose a " + kind.words() + ")", "", Util.fixEmpty(current) == null));
        return listed(m, kind, current, settings);
    }

    private ListBoxModel listed(ListBoxModel m, CloudListings.Kind kind, String current, ConnectionSettings settings) {
        if (!allowed() || incomplete(settings) != null) {
            return keep(m, current);
        }
        try {
            for (CloudListings.Item i : list(kind, settings)) {
                m.add(new ListBoxModel.Option(i.label(), i.id(), i.id().equals(current)));
            }
        } catch (ComputeException e) {
            LOGGER.fine("Listing " + kind + " failed: " + e.getMessage());
        }
        return keep(m, current);
    }

    /**
     * The check of a flavor, image or network field: required (but the network), and, when the cloud answers,
     * one it lists (by id or, as a hand-written configuration may give it, by name). When the form cannot reach
     * the cloud yet, only the first is said: Test Connection says why.
     */
    public FormValidation exists(CloudListings.Kind kind, String value, ConnectionSettings settings) {
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return kind == CloudListings.Kind.FLAVOR || kind == CloudListings.Kind.IMAGE
                    ? FormValidation.error(choose(kind)) : FormValidation.ok();
        }
        List<CloudListings.Item> items = listedForCheck(kind, v, settings);
        if (items == null) {
            return FormValidation.ok();
        }
        for (CloudListings.Item i : items) {
            if (i.id().equals(v) || i.name().equals(v)) {
                return FormValidation.ok();
            }
        }
        return FormValidation.error("The cloud has no " + kind.words() + " '" + v
                + "' (it may have been deleted): choose another.");
    }

    /**
     * The check of one more item of a list (an additional network): chosen, one the cloud lists, by id, and not the
     * first one's again ({@code first}: the template's first network).
     */
    public FormValidation another(CloudListings.Kind kind, String value, String first, ConnectionSettings settings) {
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return FormValidation.error("Choose a " + kind.words() + ", or delete this row.");
        }
        if (v.equals(Util.fixEmptyAndTrim(first))) {
            return FormValidation.error("This is the first network already: each network once (this row is dropped"
                    + " on Save).");
        }
        FormValidation f = exists(kind, v, settings);
        if (f.kind != FormValidation.Kind.OK) {
            return f;
        }
        String id = idOfName(kind, v, settings);
        if (id != null) {
            return FormValidation.error("'" + v + "' is the name of network " + id + ": choose it by id (Nova attaches"
                    + " servers by id).");
        }
        if (Util.fixEmptyAndTrim(first) == null) {
            return FormValidation.warning("No first network is chosen above: the servers get ports on these networks"
                    + " only, and the agent is reached on the first of them.");
        }
        return FormValidation.ok();
    }

    /**
     * The check of a field naming several items (security groups, separated by commas or spaces): each one the cloud
     * lists, by name or id. Blank is fine (Nova's default group); when the form cannot reach the cloud, nothing is said.
     */
    public FormValidation allNamed(CloudListings.Kind kind, String value, ConnectionSettings settings) {
        List<CloudListings.Item> items = Util.fixEmptyAndTrim(value) == null ? null
                : listedForCheck(kind, value, settings);
        if (items == null) {
            return FormValidation.ok();
        }
        List<String> unknown = new java.util.ArrayList<>();
        for (String v : value.trim().split("[,\\s]+")) {
            if (items.stream().noneMatch(i -> i.id().equals(v) || i.name().equals(v))) {
                unknown.add("'" + v + "'");
            }
        }
        if (unknown.isEmpty()) {
            return FormValidation.ok();
        }
        List<String> names = new java.util.ArrayList<>();
        for (CloudListings.Item i : items) {
            names.add(i.name());
        }
        return FormValidation.error("The project has no " + kind.words() + " " + String.join(", ", unknown)
                + (names.isEmpty() ? "." : "; it has: " + String.join(", ", names.subList(0, Math.min(10,
                names.size()))) + (names.size() > 10 ? ", ..." : "") + "."));
    }

    /**
     * What the cloud lists for a check of {@code value}; null when the form cannot ask it (not an administrator's
     * POST, the connection settings incomplete: Test Connection says why) or the cloud did not answer.
     */
    private List<CloudListings.Item> listedForCheck(CloudListings.Kind kind, String value, ConnectionSettings settings) {
        if (!allowed() || incomplete(settings) != null) {
            return null;
        }
        try {
            return list(kind, settings);
        } catch (ComputeException e) {
            LOGGER.fine("Checking " + kind + " " + value + " failed: " + e.getMessage());
            return null;
        }
    }

    /** The id of the item named {@code v} when the cloud lists none with id {@code v}; null otherwise or unknown. */
    private String idOfName(CloudListings.Kind kind, String v, ConnectionSettings settings) {
        List<CloudListings.Item> items = listedForCheck(kind, v, settings);
        String byName = null;
        for (CloudListings.Item i : items == null ? List.<CloudListings.Item>of() : items) {
            if (i.id().equals(v)) {
                return null;
            }
            byName = byName == null && i.name().equals(v) ? i.id() : byName;
        }
        return byName;
    }

    /** What an empty flavor or image field is told. */
    static String choose(CloudListings.Kind kind) {
        return kind == CloudListings.Kind.IMAGE ? "Choose an image." : "Choose a flavor.";
    }

    private List<CloudListings.Item> list(CloudListings.Kind kind, ConnectionSettings settings)
            throws ComputeException {
        return listings.list(kind, settings, connections::connect);
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
