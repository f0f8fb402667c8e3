package io.jenkins.plugins.openstackagents.nova;

import java.time.Duration;
import java.util.Objects;

/**
 * How to reach and authenticate to one cloud. Holds secrets in clear for the time of a connection: its
 * {@link #toString()} never prints them.
 */
public final class ConnectionSettings {

    /** Keystone v3 credentials: a user's password scoped to a project, or an application credential. */
    public sealed interface Credentials permits Password, ApplicationCredential {
    }

    public record Password(String user, String password, String project, String domain) implements Credentials {
        @Override
        public String toString() {
            return "Password[user=" + user + ", project=" + project + ", domain=" + domain + "]";
        }
    }

    public record ApplicationCredential(String id, String secret) implements Credentials {
        @Override
        public String toString() {
            return "ApplicationCredential[id=" + id + "]";
        }
    }

    private final String authUrl;
    private final String region;
    private final Credentials credentials;
    private final boolean verifyTls;
    private final Duration connectTimeout;
    private final Duration readTimeout;

    public ConnectionSettings(String authUrl, String region, Credentials credentials, boolean verifyTls,
                              Duration connectTimeout, Duration readTimeout) {
        this.authUrl = Objects.requireNonNull(authUrl, "authUrl");
        this.region = region;
        this.credentials = Objects.requireNonNull(credentials, "credentials");
        this.verifyTls = verifyTls;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
    }

    public String authUrl() { return authUrl; }
    public String region() { return region; }
    public Credentials credentials() { return credentials; }
    public boolean verifyTls() { return verifyTls; }
    public Duration connectTimeout() { return connectTimeout; }
    public Duration readTimeout() { return readTimeout; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ConnectionSettings)) {
            return false;
        }
        ConnectionSettings s = (ConnectionSettings) o;
        return authUrl.equals(s.authUrl) && Objects.equals(region, s.region) && credentials.equals(s.credentials)
                && verifyTls == s.verifyTls && Objects.equals(connectTimeout, s.connectTimeout)
                && Objects.equals(readTimeout, s.readTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(authUrl, region, credentials, verifyTls, connectTimeout, readTimeout);
    }

    @Override
    public String toString() {
        return "ConnectionSettings[" + authUrl + ", region=" + region + ", " + credentials + ", verifyTls=" + verifyTls + "]";
    }
}
