package io.jenkins.plugins.openstackagents;

import io.jenkins.plugins.openstackagents.nova.ConnectionSettings;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings.ApplicationCredential;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings.Credentials;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings.Password;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;

/**
 * The real OpenStack on 127.0.0.1 that the integration tests ({@code *IT}) run against, as described by the
 * properties file {@code src/test/openstack/openstack-lite.sh start} writes. {@code mvn verify} starts the stack
 * before the integration tests (pre-integration-test) and passes the file's path as system property
 * {@value #PROPERTIES}.
 *
 * <p>{@link #get()} throws, it never skips: an integration test without its OpenStack is a failure.
 */
public final class LocalOpenStack {

    /** System property naming the properties file. */
    public static final String PROPERTIES = "openstack.lite.properties";
    /** Where the script writes the file unless {@code OS_LITE_BASE} says otherwise. */
    public static final String DEFAULT_PROPERTIES = "/var/tmp/openstack-agents-lite/openstack-lite.properties";

    private static final String HOW_TO_START = "Start it with: bash src/test/openstack/openstack-lite.sh start"
            + " (as root; mvn verify does this before the integration tests).";
    private static final Duration KEYSTONE_TIMEOUT = Duration.ofSeconds(5);

    private final Path file;
    private final Properties values;

    private LocalOpenStack(Path file, Properties values) {
        this.file = file;
        this.values = values;
    }

    /**
     * Reads the properties file and checks that Keystone answers on its auth URL.
     *
     * @throws IllegalStateException saying how to start the stack, when the file is missing or incomplete or
     *         Keystone does not answer
     */
    public static LocalOpenStack get() {
        Path file = Path.of(System.getProperty(PROPERTIES, DEFAULT_PROPERTIES));
        Properties values = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            values.load(in);
        } catch (NoSuchFileException e) {
            throw new IllegalStateException("No local OpenStack: " + file + " does not exist. " + HOW_TO_START);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + file + ": " + e + ". " + HOW_TO_START, e);
        }
        LocalOpenStack stack = new LocalOpenStack(file, values);
        stack.checkKeystoneAnswers();
        return stack;
    }

    public String authUrl() { return value("authUrl"); }
    public String region() { return value("region"); }
    public String username() { return value("username"); }
    public String password() { return value("password"); }
    public String project() { return value("project"); }
    public String domain() { return value("domain"); }
    public String adminUsername() { return value("adminUsername"); }
    public String adminPassword() { return value("adminPassword"); }
    public String adminProject() { return value("adminProject"); }
    public String appCredId() { return value("appCredId"); }
    public String appCredSecret() { return value("appCredSecret"); }
    public String imageId() { return value("imageId"); }
    public String imageName() { return value("imageName"); }
    /** Flavor id of m1.small: 1 vCPU, 512 MB, 1 GB. */
    public String flavorSmall() { return value("flavorSmall"); }
    /** Flavor id of m1.medium: 2 vCPU, 1024 MB, 1 GB. */
    public String flavorMedium() { return value("flavorMedium"); }
    public String novaUrl() { return value("novaUrl"); }
    public String neutronUrl() { return value("neutronUrl"); }
    public String projectId() { return value("projectId"); }
    /** agents-net: project jenkins, flat on physnet1, subnet 127.10.0.0/16, DHCP off; reaches agents-ext. */
    public String networkId() { return value("network.id"); }
    /** agents-ext: admin's, {@code router:external}, flat on physnet3, subnet 127.20.0.0/16: the floating IP pool. */
    public String externalNetworkId() { return value("network.external.id"); }
    /** agents-router: project jenkins, gateway on agents-ext, an interface on agents-net's subnet. */
    public String routerId() { return value("router.id"); }
    /**
     * Neutron's log, with one {@code neutron.wsgi} line per request: {@code ... INFO neutron.wsgi [req-... USER_ID
     * PROJECT_ID - - default default] 127.0.0.1 "GET /v2.0/floatingips?... HTTP/1.1" status: 200  len: 210 time: 0.03}.
     */
    public Path neutronLog() { return Path.of(value("logDir"), "neutron-server.log"); }
    /** The jenkins project's compute quota: instances. */
    public int quotaInstances() { return Integer.parseInt(value("quotaInstances")); }
    public int quotaCores() { return Integer.parseInt(value("quotaCores")); }
    public int quotaRamMb() { return Integer.parseInt(value("quotaRamMb")); }

    /** Any value of the file, by key. */
    public String value(String key) {
        String v = values.getProperty(key);
        if (v == null || v.isEmpty()) {
            throw new IllegalStateException(file + " has no " + key + " (written by an older openstack-lite.sh?). "
                    + HOW_TO_START);
        }
        return v;
    }

    /** User jenkins with its password, scoped to project jenkins. */
    public Password jenkinsCredentials() {
        return new Password(username(), password(), project(), domain());
    }

    /** The admin user, scoped to project admin (sees servers' user data). */
    public Password adminCredentials() {
        return new Password(adminUsername(), adminPassword(), adminProject(), domain());
    }

    /** The jenkins user's application credential {@code jenkins-agents}. */
    public ApplicationCredential applicationCredential() {
        return new ApplicationCredential(appCredId(), appCredSecret());
    }

    /** Settings for this cloud: its auth URL and region, TLS verified, 5 s to connect, 30 s to read. */
    public ConnectionSettings settings(Credentials credentials) {
        return new ConnectionSettings(authUrl(), region(), credentials, true, Duration.ofSeconds(5),
                Duration.ofSeconds(30));
    }

    private void checkKeystoneAnswers() {
        String url = authUrl();
        try {
            HttpURLConnection c = (HttpURLConnection) new URL(url).openConnection();
            c.setConnectTimeout((int) KEYSTONE_TIMEOUT.toMillis());
            c.setReadTimeout((int) KEYSTONE_TIMEOUT.toMillis());
            try {
                int code = c.getResponseCode();
                if (code != 200) {
                    throw new IllegalStateException("Keystone at " + url + " answers " + code
                            + " instead of 200: the local OpenStack is not healthy. " + HOW_TO_START);
                }
            } finally {
                c.disconnect();
            }
        } catch (IOException e) {
            throw new IllegalStateException("Keystone does not answer on " + url + " (" + e
                    + "): the local OpenStack is not running. " + HOW_TO_START, e);
        }
    }

    @Override
    public String toString() {
        return "LocalOpenStack[" + file + ", " + authUrl() + "]";
    }
}
