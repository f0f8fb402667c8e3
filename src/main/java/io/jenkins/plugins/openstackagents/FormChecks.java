package io.jenkins.plugins.openstackagents;

import hudson.Util;
import hudson.model.Descriptor;
import hudson.model.Hudson;
import hudson.util.FormValidation;
import io.jenkins.plugins.openstackagents.pool.UserData;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Collections;
import java.util.regex.Pattern;

/** The checks behind the configuration forms, each answering in one sentence. */
final class FormChecks {

    /** Cloud and template names become part of server and agent names. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,39}");

    private static final Pattern LABEL = Pattern.compile("[^\\s&|!()<>=\"']+");

    private FormChecks() {
    }

    static FormValidation name(String value, String what) {
        requireAdministrator();
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return FormValidation.error("The " + what + " needs a name.");
        }
        if (!NAME.matcher(v).matches()) {
            return FormValidation.error("Use at most 40 letters, digits, '.', '_' or '-', starting with a letter or digit:"
                    + " the name becomes part of server names.");
        }
        return FormValidation.ok();
    }

    static FormValidation required(String value, String message) {
        requireAdministrator();
        return Util.fixEmptyAndTrim(value) == null ? FormValidation.error(message) : FormValidation.ok();
    }

    static FormValidation labels(String value) {
        requireAdministrator();
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return FormValidation.error("Give at least one label: builds choose these agents by label.");
        }
        for (String atom : v.split("\\s+")) {
            if (!LABEL.matcher(atom).matches()) {
                return FormValidation.error("'" + atom + "' is not a label: give label names separated by spaces,"
                        + " not an expression.");
            }
        }
        return FormValidation.ok();
    }

    static FormValidation integer(String value, int min, int max, String what) {
        requireAdministrator();
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return FormValidation.error(what + " is required.");
        }
        try {
            int i = Integer.parseInt(v);
            if (i < min || i > max) {
                return FormValidation.error(what + " must be between " + min + " and " + max + ".");
            }
            return FormValidation.ok();
        } catch (NumberFormatException e) {
            return FormValidation.error(what + " must be a whole number.");
        }
    }

    static FormValidation authUrl(String value) {
        requireAdministrator();
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return FormValidation.error("Enter the Keystone v3 URL, e.g. https://keystone.example.com:5000/v3.");
        }
        try {
            URI u = new URI(v);
            if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme()) || u.getHost() == null) {
                return FormValidation.error("Not an http(s) URL: " + v);
            }
            if (!u.getPath().matches(".*/v3/?")) {
                return FormValidation.warning("Keystone v3 URLs usually end in /v3.");
            }
            if ("http".equals(u.getScheme()) && !isLoopback(u.getHost())) {
                return FormValidation.warning("Plain http sends the credentials unencrypted; use https.");
            }
            return FormValidation.ok();
        } catch (URISyntaxException e) {
            return FormValidation.error("Not a URL: " + e.getReason() + ".");
        }
    }

    static FormValidation jenkinsUrl(String value) {
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

    static FormValidation absolutePath(String value) {
        requireAdministrator();
        String v = Util.fixEmptyAndTrim(value);
        if (v == null) {
            return FormValidation.ok();
        }
        return v.startsWith("/") || v.matches("[A-Za-z]:\\\\.*") ? FormValidation.ok()
                : FormValidation.error("Give an absolute path on the agent, e.g. /home/jenkins/agent.");
    }

    static FormValidation userData(String value) {
        requireAdministrator();
        if (Util.fixEmpty(value) == null) {
            return FormValidation.ok("Empty: the default script starts the inbound agent.");
        }
        String sample = UserData.render(value, Collections.singletonMap(UserData.AGENT_SECRET,
                "0000000000000000000000000000000000000000000000000000000000000000"));
        int size = UserData.encodedSize(sample);
        if (size > UserData.MAX_ENCODED_BYTES) {
            return FormValidation.error("Too large for Nova: " + size + " bytes once base64-encoded (at most "
                    + UserData.MAX_ENCODED_BYTES + ").");
        }
        if (!value.contains("${" + UserData.AGENT_SECRET + "}") || !value.contains("${" + UserData.AGENT_NAME + "}")) {
            return FormValidation.warning("The script does not use ${AGENT_NAME} and ${AGENT_SECRET}: the agent will"
                    + " need another way to connect.");
        }
        return FormValidation.ok();
    }

    /**
     * Every named field of a submitted form that holds something must be a whole number, 0 or more; an empty one
     * takes its default.
     */
    static void requireWholeNumbers(net.sf.json.JSONObject json, String... fields) throws Descriptor.FormException {
        for (String f : fields) {
            String v = json.optString(f, "").trim();
            if (!v.isEmpty() && !v.matches("\\d{1,9}")) {
                throw new Descriptor.FormException("'" + v + "' is not a whole number of 0 or more (" + f + ");"
                        + " nothing was saved.", f);
            }
        }
    }

    /** The forms belong to the global configuration: only administrators may use their checks. */
    private static void requireAdministrator() {
        Hudson.getInstance().checkPermission(Hudson.ADMINISTER);
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]");
    }
}
