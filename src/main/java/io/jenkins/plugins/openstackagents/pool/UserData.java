package io.jenkins.plugins.openstackagents.pool;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a server's cloud-init reads at first boot (its user data), with variables replaced: for an SSH agent a
 * cloud-config that installs the agent's login key and the server's own host key; for an inbound agent a script that
 * starts the agent. Unknown variables are left as they are, so that shell variables of the same syntax keep working.
 */
public final class UserData {

    public static final String JENKINS_URL = "JENKINS_URL";
    public static final String AGENT_NAME = "AGENT_NAME";
    public static final String AGENT_SECRET = "AGENT_SECRET";
    public static final String AGENT_WORKDIR = "AGENT_WORKDIR";

    /** SSH agents: the user the controller logs in as. */
    public static final String SSH_USER = "SSH_USER";
    /** SSH agents: the login key's public half, one {@code authorized_keys} line. */
    public static final String SSH_AUTHORIZED_KEY = "SSH_AUTHORIZED_KEY";
    /** SSH agents: this server's own host key, public half (one line). */
    public static final String SSH_HOST_KEY_PUBLIC = "SSH_HOST_KEY_PUBLIC";
    /** SSH agents: this server's own host key, private half, as a double-quoted YAML string (one line). */
    public static final String SSH_HOST_KEY_PRIVATE = "SSH_HOST_KEY_PRIVATE";

    /** Nova refuses user data above 65535 bytes once base64-encoded. */
    public static final int MAX_ENCODED_BYTES = 65535;

    /**
     * Starts the inbound agent with Java from the image; retries until the controller accepts it. The agent jar is
     * downloaded beside its final name and renamed, so that agents sharing a folder (an image with a shared home)
     * never run a half-written jar.
     */
    public static final String DEFAULT_SCRIPT = String.join("\n",
            "#!/bin/sh",
            "# Started by cloud-init on first boot: runs the Jenkins inbound agent.",
            "mkdir -p \"${AGENT_WORKDIR}\" && cd \"${AGENT_WORKDIR}\" || exit 1",
            "until curl -fsS -o agent.jar.$$ \"${JENKINS_URL}jnlpJars/slave.jar\"; do sleep 5; done",
            "mv -f agent.jar.$$ agent.jar",
            "until java -cp agent.jar hudson.remoting.jnlp.Main -headless -url \"${JENKINS_URL}\" \\",
            "    \"${AGENT_SECRET}\" \"${AGENT_NAME}\"; do sleep 5; done",
            "");

    /**
     * For SSH agents: cloud-init creates the login user with the agent's login key and installs the host key the
     * controller expects (deleting the keys the image would otherwise generate), so that the first connection is
     * already checked. The image needs Java on the user's PATH.
     */
    public static final String DEFAULT_SSH_CLOUD_CONFIG = String.join("\n",
            "#cloud-config",
            "# Read by cloud-init on first boot: the Jenkins controller logs in with this key and checks this host key.",
            "users:",
            "  - default",
            "  - name: ${SSH_USER}",
            "    shell: /bin/sh",
            "    ssh_authorized_keys:",
            "      - ${SSH_AUTHORIZED_KEY}",
            "ssh_deletekeys: true",
            "ssh_genkeytypes: []",
            "ssh_keys:",
            "  ecdsa_private: ${SSH_HOST_KEY_PRIVATE}",
            "  ecdsa_public: ${SSH_HOST_KEY_PUBLIC}",
            "");

    private static final Pattern VAR = Pattern.compile("\\$\\{([A-Z_]+)}");

    private UserData() {
    }

    public static String render(String script, Map<String, String> vars) {
        Matcher m = VAR.matcher(script);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = vars.get(m.group(1));
            m.appendReplacement(sb, Matcher.quoteReplacement(v != null ? v : m.group()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    /** {@code text} as a double-quoted YAML (and JSON) string on one line. */
    public static String quoted(String text) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                default: sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    /** The size Nova will see: base64 of the UTF-8 bytes. */
    public static int encodedSize(String rendered) {
        int bytes = rendered.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return (bytes + 2) / 3 * 4;
    }
}
