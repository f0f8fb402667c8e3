package io.jenkins.plugins.openstackagents.forms;

import hudson.Util;
import hudson.model.Descriptor;
import hudson.model.Hudson;
import hudson.util.FormValidation;
import io.jenkins.plugins.openstackagents.pool.UserData;
import io.jenkins.plugins.openstackagents.ssh.SshKeys;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;

/** The checks behind the configuration forms, each answering in one sentence. */
public final class FormChecks {

    /** Cloud and template names become part of server and agent names. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,39}");

    private static final Pattern LABEL = Pattern.compile("[^\\s&|!()<>=\"']+");

    private FormChecks() {
    }

    public static FormValidation name(String value, String what) {
        requireAdministrator();
        return errorOrOk(nameProblem(value, what));
    }

    static String nameProblem(String value, String what) {
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return "The " + what + " needs a name.";
        }
        return NAME.matcher(v).matches() ? null : "Use at most 40 letters, digits, '.', '_' or '-', starting with a"
                + " letter or digit: the name becomes part of server names.";
    }

    public static FormValidation required(String value, String message) {
        requireAdministrator();
        return Util.fixEmptyAndTrim(value) == null ? FormValidation.error(message) : FormValidation.ok();
    }

    public static FormValidation labels(String value) {
        requireAdministrator();
        return errorOrOk(labelsProblem(value));
    }

    static String labelsProblem(String value) {
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return "Give at least one label: builds choose these agents by label.";
        }
        for (String atom : v.split("\\s+")) {
            if (!LABEL.matcher(atom).matches()) {
                return "'" + atom + "' is not a label: give label names separated by spaces, not an expression.";
            }
        }
        return null;
    }

    private static FormValidation errorOrOk(String problem) {
        return problem == null ? FormValidation.ok() : FormValidation.error(problem);
    }

    public static FormValidation integer(String value, int min, int max, String what) {
        requireAdministrator();
        return errorOrOk(integerProblem(value, min, max, what));
    }

    /** Why a field that must hold a whole number in [min, max] does not, in one sentence; null if it does. */
    static String integerProblem(String value, int min, int max, String what) {
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return what + " is required.";
        }
        try {
            int i = Integer.parseInt(v);
            return i < min || i > max ? what + " must be between " + min + " and " + max + "." : null;
        } catch (NumberFormatException e) {
            return what + " must be a whole number.";
        }
    }

    public static FormValidation authUrl(String value) {
        requireAdministrator();
        String problem = authUrlProblem(value);
        if (problem != null) {
            return FormValidation.error(problem);
        }
        URI u = URI.create(value.trim());
        if (!u.getPath().matches(".*/v3/?")) {
            return FormValidation.warning("Keystone v3 URLs usually end in /v3.");
        }
        if ("http".equals(u.getScheme()) && !isLoopback(u.getHost())) {
            return FormValidation.warning("Plain http sends the credentials unencrypted; use https.");
        }
        return FormValidation.ok();
    }

    /** Why a Keystone URL cannot be used at all, in one sentence; null if it can. */
    static String authUrlProblem(String value) {
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return "Enter the Keystone v3 URL, e.g. https://keystone.example.com:5000/v3.";
        }
        try {
            URI u = new URI(v);
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme()) || u.getHost() == null) {
                return "Not an http(s) URL: " + v;
            }
            return null;
        } catch (URISyntaxException e) {
            return "Not a URL: " + e.getReason() + ".";
        }
    }

    public static FormValidation jenkinsUrl(String value) {
        requireAdministrator();
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return FormValidation.ok();
        }
        try {
            URI u = new URI(v);
            if (u.getScheme() == null || !u.getScheme().startsWith("http") || u.getHost() == null) {
                return FormValidation.error("Not an http(s) URL: " + v);
            }
            return v.endsWith("/") ? FormValidation.ok() : FormValidation.warning("The URL should end with '/'.");
        } catch (URISyntaxException e) {
            return FormValidation.error("Not a URL: " + e.getReason() + ".");
        }
    }

    public static FormValidation absolutePath(String value) {
        requireAdministrator();
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return FormValidation.ok();
        }
        return v.startsWith("/") || v.matches("[A-Za-z]:\\\\.*") ? FormValidation.ok()
                : FormValidation.error("Give an absolute path on the agent, e.g. /home/jenkins/agent.");
    }

    public static FormValidation userData(String value, boolean ssh) {
        requireAdministrator();
        if (Util.fixEmpty(value) == null) {
            return FormValidation.ok(ssh ? "Empty: the default cloud-config installs the agent's login key and the"
                    + " server's host key." : "Empty: the default script starts the inbound agent.");
        }
        String problem = userDataProblem(value);
        if (problem != null) {
            return FormValidation.error(problem);
        }
        if (ssh && (!value.contains("${" + UserData.SSH_HOST_KEY_PRIVATE + "}")
                || !value.contains("${" + UserData.SSH_AUTHORIZED_KEY + "}"))) {
            return FormValidation.warning("The user data does not use ${SSH_HOST_KEY_PRIVATE} and"
                    + " ${SSH_AUTHORIZED_KEY}: unless the image installs both some other way, the controller will"
                    + " refuse the server's host key or fail to log in.");
        }
        if (!ssh && (!value.contains("${" + UserData.AGENT_SECRET + "}")
                || !value.contains("${" + UserData.AGENT_NAME + "}"))) {
            return FormValidation.warning("The script does not use ${AGENT_NAME} and ${AGENT_SECRET}: the agent will"
                    + " need another way to connect.");
        }
        return FormValidation.ok();
    }

    /**
     * Inbound is allowed, with the truth about what it hands to each server on this core: its own secret where the
     * core checks one per agent (current Jenkins), else the controller's key (Hudson 1.395).
     */
    public static FormValidation launchMethod(boolean inbound, boolean secretPerAgent) {
        if (!inbound) {
            return FormValidation.ok();
        }
        if (secretPerAgent) {
            return FormValidation.warning("An inbound agent's secret goes into the user data of its server, where"
                    + " anything running there can read it and connect as that agent. It needs the controller's"
                    + " inbound agent port open (Security settings). Use SSH unless every build on these servers is"
                    + " trusted.");
        }
        return FormValidation.warning("On this Hudson core an inbound agent presents the controller's secret key:"
                + " it goes into the user data of every server of this template, where anything running there can"
                + " read it, connect as any agent, and decrypt the secrets this controller stores. Use SSH unless"
                + " every build on these servers is trusted.");
    }

    public static FormValidation sshUser(String value) {
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return FormValidation.ok("Empty: jenkins.");
        }
        if (!v.matches("[a-z_][a-z0-9_.-]{0,31}")) {
            return FormValidation.error("Not a user name an image's cloud-init accepts: lower-case letters, digits,"
                    + " '_', '.' and '-', at most 32, not starting with a digit.");
        }
        return FormValidation.ok();
    }

    public static final WholeNumber SSH_PORT = new WholeNumber("sshPort", "The SSH port", 1, 65535);

    /** Empty is fine (a key pair per agent); a key given must be readable, and goes with a Nova key pair. */
    public static FormValidation sshPrivateKey(String plain, String keyPair) {
        requireAdministrator();
        if (Util.fixEmptyAndTrim(plain) == null) {
            return Util.fixEmptyAndTrim(keyPair) == null ? FormValidation.ok()
                    : FormValidation.ok("Empty: each agent gets a login key of its own (in its user data); the key"
                    + " pair above is installed too.");
        }
        try {
            SshKeys.parsePrivateKey(plain);
        } catch (java.io.IOException e) {
            return FormValidation.error("Not a private key this plugin can read: an OpenSSH or PEM key without a"
                    + " passphrase (RSA or ECDSA).");
        }
        return FormValidation.ok();
    }

    /** Why Nova would refuse this user data; null if it would not. */
    static String userDataProblem(String value) {
        String sample = UserData.render(value, Collections.singletonMap(UserData.AGENT_SECRET,
                "0000000000000000000000000000000000000000000000000000000000000000"));
        int size = UserData.encodedSize(sample);
        return size <= UserData.MAX_ENCODED_BYTES ? null : "Too large for Nova: " + size
                + " bytes once base64-encoded (at most " + UserData.MAX_ENCODED_BYTES + ").";
    }

    /**
     * Spare agents: a whole number; more than the template's instance cap can never all be ready (a warning: the
     * cap wins).
     */
    public static FormValidation spareAgents(String value, String instanceCap) {
        if (Util.fixEmptyAndTrim(value) == null) {
            return FormValidation.ok(); // the default: none
        }
        FormValidation v = SPARE_AGENTS.check(value);
        if (v.kind != FormValidation.Kind.OK) {
            return v;
        }
        int spares = Integer.parseInt(value.trim());
        String cap = Util.fixEmptyAndTrim(instanceCap);
        if (cap != null && cap.matches("\\d{1,9}") && Integer.parseInt(cap) > 0 && spares > Integer.parseInt(cap)) {
            return FormValidation.warning("More than the instance cap (" + cap + "): at most " + cap
                    + " agents of this template, spares included.");
        }
        return v;
    }

    /** A form field that holds a whole number within bounds; empty means its default. */
    public record WholeNumber(String field, String title, int min, int max) {
        public FormValidation check(String value) {
            return integer(value, min, max, title);
        }
    }

    public static final WholeNumber INSTANCE_CAP = new WholeNumber("instanceCap", "Instance cap", 0, 10000);
    public static final WholeNumber LIMITS_INTERVAL = new WholeNumber("limitsIntervalSeconds", "The limits interval", 10, 3600);
    public static final WholeNumber REQUESTS_PER_SECOND = new WholeNumber("requestsPerSecond", "Requests per second", 1, 100);
    public static final WholeNumber CLEANUP_INTERVAL = new WholeNumber("cleanupIntervalSeconds", "The cleanup interval", 10,
            3600);
    public static final WholeNumber EXECUTORS = new WholeNumber("numExecutors", "Executors", 1, 100);
    public static final WholeNumber SPARE_AGENTS = new WholeNumber("spareAgents", "Spare agents", 0, 1000);
    public static final WholeNumber SPARE_MAX_AGE = new WholeNumber("spareMaxAgeMinutes", "Spare max age", 0,
            30 * 24 * 60);
    public static final WholeNumber IDLE_MINUTES = new WholeNumber("idleMinutes", "Idle minutes", 0, 7 * 24 * 60);
    public static final WholeNumber BOOT_TIMEOUT = new WholeNumber("bootTimeoutMinutes", "Boot timeout", 1, 24 * 60);
    public static final WholeNumber CONNECT_TIMEOUT = new WholeNumber("connectTimeoutMinutes", "Connect timeout", 1, 24 * 60);
    public static final WholeNumber MAX_BUILD_MINUTES = new WholeNumber("maxBuildMinutes", "Maximum build time", 0,
            7 * 24 * 60);

    private static final List<WholeNumber> CLOUD_NUMBERS = List.of(INSTANCE_CAP, LIMITS_INTERVAL,
            REQUESTS_PER_SECOND, CLEANUP_INTERVAL);
    private static final List<WholeNumber> TEMPLATE_NUMBERS = List.of(EXECUTORS, INSTANCE_CAP, SPARE_AGENTS,
            SPARE_MAX_AGE, IDLE_MINUTES, BOOT_TIMEOUT, CONNECT_TIMEOUT, MAX_BUILD_MINUTES);

    /**
     * Refuses a submitted cloud that cannot work, with one sentence naming the field: a name that cannot be part of
     * a server name, a Keystone URL that is not an http(s) URL, a template without a flavor, an image or labels,
     * numbers that are not numbers or are out of bounds (an empty number takes its default), user data Nova would
     * refuse. Stapler would otherwise turn a bad number into 0 (for a cap: no cap) and the previous configuration
     * would be lost without a word. What only the cloud can judge (a region, a flavor that does not exist) is left
     * to Test Connection, the field checks and the status page. Hudson applies the settings of the page above the
     * clouds before it reads them; none of the clouds is changed.
     */
    public static void requireSaveable(JSONObject cloud) throws Descriptor.FormException {
        String cloudName = cloud.optString("name", "").trim();
        String where = "Cloud '" + cloudName + "'";
        refuse(where, "name", "Name", nameProblem(cloudName, "cloud"));
        refuse(where, "authUrl", "Keystone URL", authUrlProblem(cloud.optString("authUrl", "")));
        numbers(where, cloud, CLOUD_NUMBERS);
        for (JSONObject t : templates(cloud)) {
            String w = where + ", template '" + t.optString("name", "").trim() + "'";
            refuse(w, "name", "Template name", nameProblem(t.optString("name", ""), "template"));
            refuse(w, "labels", "Labels", labelsProblem(t.optString("labels", "")));
            refuse(w, "flavor", "Flavor", blank(t.optString("flavor", "")) ? CloudForms.choose(CloudListings.Kind.FLAVOR)
                    : null);
            refuse(w, "image", "Image", blank(t.optString("image", "")) ? CloudForms.choose(CloudListings.Kind.IMAGE)
                    : null);
            numbers(w, t, TEMPLATE_NUMBERS);
            refuse(w, "userData", "User data", userDataProblem(t.optString("userData", "")));
            for (JSONObject n : rows(t, "extraNetworks")) {
                refuse(w, "extraNetworks", "Additional networks", blank(n.optString("id", ""))
                        ? "A row has no network chosen: choose one, or delete the row." : null);
            }
        }
    }

    private static List<JSONObject> templates(JSONObject cloud) {
        return rows(cloud, "templates");
    }

    /** The rows of a repeated part of the form: one is sent as an object, several as an array. */
    private static List<JSONObject> rows(JSONObject json, String key) {
        Object rows = json.opt(key);
        List<JSONObject> list = new ArrayList<JSONObject>();
        if (rows instanceof JSONObject) {
            list.add((JSONObject) rows);
        } else if (rows instanceof JSONArray) {
            for (Object o : (JSONArray) rows) {
                list.add((JSONObject) o);
            }
        }
        return list;
    }

    private static void numbers(String where, JSONObject json, List<WholeNumber> numbers)
            throws Descriptor.FormException {
        for (WholeNumber n : numbers) {
            String v = json.optString(n.field(), "").trim();
            if (!v.isEmpty()) {
                refuse(where, n.field(), n.title(), v.matches("-?\\d{1,9}") ? integerProblem(v, n.min(), n.max(),
                        n.title()) : "'" + v + "' is not a whole number.");
            }
        }
    }

    private static void refuse(String where, String field, String title, String problem)
            throws Descriptor.FormException {
        if (problem != null) {
            throw new Descriptor.FormException(where + ": " + title + ": " + problem + " The clouds were not changed.",
                    field);
        }
    }

    private static boolean blank(String s) {
        return Util.fixEmptyAndTrim(s) == null;
    }

    /** The forms belong to the global configuration: only administrators may use their checks. */
    private static void requireAdministrator() {
        Hudson.getInstance().checkPermission(Hudson.ADMINISTER);
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }
}
