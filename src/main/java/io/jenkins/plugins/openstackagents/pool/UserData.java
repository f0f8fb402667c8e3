package io.jenkins.plugins.openstackagents.pool;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The script a server runs at first boot (cloud-init user data), with variables replaced. Unknown variables are
 * left as they are, so that shell variables of the same syntax keep working.
 */
public final class UserData {

    public static final String JENKINS_URL = "JENKINS_URL";
    public static final String AGENT_NAME = "AGENT_NAME";
    public static final String AGENT_SECRET = "AGENT_SECRET";
    public static final String AGENT_WORKDIR = "AGENT_WORKDIR";

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

    /** The size Nova will see: base64 of the UTF-8 bytes. */
    public static int encodedSize(String rendered) {
        int bytes = rendered.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        return (bytes + 2) / 3 * 4;
    }
}
