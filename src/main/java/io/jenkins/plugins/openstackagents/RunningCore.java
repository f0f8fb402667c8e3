package io.jenkins.plugins.openstackagents;

import hudson.Util;
import hudson.model.Hudson;
import hudson.model.Node;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.function.Predicate;

/**
 * What the core the plugin runs in offers where it differs from Hudson 1.395, the build target. Current Jenkins
 * (told apart by {@code jenkins.agents.CloudSet}, since 2.405; the plugin's manifest asks for 2.479.1 or later)
 * configures clouds on pages of their own ({@code /cloud/}, each at {@code /cloud/NAME/configure}), draws icons from
 * symbols, and has form fields whose checks need no {@code eval} (which its Content-Security-Policy forbids when
 * enforced). Hudson 1.395 configures clouds on {@code /configure}, draws {@code images/24x24/*.gif}, and checks a
 * field through a {@code checkUrl} that is JavaScript. Current Jenkins also keeps each node in a file of its own,
 * written by {@code Jenkins.updateNode(Node)}, and its {@code save()} no longer writes nodes; 1.395 keeps them in
 * {@code config.xml}. docs/compatibility.md has the source lines.
 */
public final class RunningCore {

    static final String CLOUD_SET = "jenkins.agents.CloudSet";

    private static final RunningCore RUNNING = new RunningCore(RunningCore::coreHas);

    private final boolean current;

    RunningCore(Predicate<String> coreHasClass) {
        this.current = coreHasClass.test(CLOUD_SET);
    }

    /** The core this plugin runs in. */
    public static RunningCore get() {
        return RUNNING;
    }

    /** Current Jenkins rather than Hudson 1.395. */
    public boolean isCurrent() {
        return current;
    }

    /** Where a new cloud is added, relative to the root URL. */
    public String newCloud() {
        return current ? "cloud/" : "configure";
    }

    /** Where this cloud is configured, relative to the root URL. */
    public String configure(String cloudName) {
        return current ? "cloud/" + Util.rawEncode(cloudName) + "/configure" : "configure";
    }

    /** The status page's icon in the side panel. */
    public String statusIcon() {
        return current ? "symbol-cloud" : "computer.gif";
    }

    private static boolean coreHas(String className) {
        try {
            Class.forName(className, false, hudson.model.Hudson.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** Saves a node's own fields (an agent's address, its use, why it is to be deleted) where this core keeps them. */
    public static void saveNode(Node node) throws IOException {
        saveNode(Hudson.getInstance(), node);
    }

    /**
     * {@code core.updateNode(node)} where the core has it (Jenkins since 1.635), else {@code Hudson.save()}, which on
     * 1.395 writes the nodes with the rest of {@code config.xml}; nothing for a node the core does not hold.
     */
    static void saveNode(Object core, Node node) throws IOException {
        if (core instanceof Hudson && ((Hudson) core).getNode(node.getNodeName()) != node) {
            // not (or no longer) this core's node: nothing of it to write, and a save here would rewrite the
            // config.xml of a Jenkins the node is not part of (current Jenkins' updateNode ignores it too)
            return;
        }
        Method update;
        try {
            update = core.getClass().getMethod("updateNode", Node.class);
        } catch (NoSuchMethodException e) {
            ((Hudson) core).save();
            return;
        }
        try {
            update.invoke(core, node);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof IOException ? (IOException) e.getCause() : new IOException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IOException(e);
        }
    }
}
