package io.jenkins.plugins.openstackagents.browser;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.Arrays;

/**
 * The main class of the Hudson process the browser tests start: runs the Hudson war (its own {@code Main}, which
 * starts Winstone) after setting what Hudson 1.395 needs on a current JDK at run time. XStream 1.3.1 reads
 * {@code java.vm.vendor} to choose how it builds objects, and refuses Debian's and Temurin's names; the property
 * cannot be set on the command line (the JVM overrides it), so it is set here, before XStream loads.
 *
 * <p>Arguments: the war file, then Winstone's own ({@code --httpPort=...}).
 */
public final class HudsonWarMain {

    private HudsonWarMain() {
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.vm.vendor", System.getProperty("xstream.vendor", "Oracle Corporation"));
        URL war = new File(args[0]).toURI().toURL();
        ClassLoader loader = new URLClassLoader(new URL[] {war}, ClassLoader.getPlatformClassLoader());
        loader.loadClass("Main").getMethod("main", String[].class)
                .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
    }
}
