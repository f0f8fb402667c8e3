package io.jenkins.plugins.openstackagents.ssh;

import hudson.util.Secret;
import io.jenkins.plugins.openstackagents.pool.UserData;
import java.io.IOException;
import java.security.KeyPair;
import java.util.Map;

/**
 * The keys of one new SSH agent's server: a host key made for that server only, whose private half goes into its
 * user data and nowhere else (the controller keeps only the public half, in the launcher), and the login key: the
 * template's (a Nova key pair's private half) or one made for this agent, whose private half the launcher keeps as a
 * {@link Secret} and whose public half goes into the user data.
 */
public final class SshAccess {

    private final SshLauncher launcher;
    private final Map<String, String> userDataVariables;

    private SshAccess(SshLauncher launcher, Map<String, String> userDataVariables) {
        this.launcher = launcher;
        this.userDataVariables = userDataVariables;
    }

    /**
     * @param templateKey the template's login private key, or null for a key pair of this agent's own
     * @throws IOException if the template's key cannot be read (the message does not quote it)
     */
    public static SshAccess forNewServer(String user, int port, Secret templateKey) throws IOException {
        KeyPair login;
        Secret loginSecret;
        if (templateKey != null) {
            login = SshKeys.parsePrivateKey(Secret.toString(templateKey));
            loginSecret = templateKey;
        } else {
            login = SshKeys.generate();
            loginSecret = Secret.fromString(SshKeys.privateKeyText(login));
        }
        KeyPair host = SshKeys.generate();
        String hostPublic = SshKeys.publicKeyLine(host.getPublic());
        Map<String, String> vars = Map.of(
                UserData.SSH_USER, user,
                UserData.SSH_AUTHORIZED_KEY, SshKeys.publicKeyLine(login.getPublic()),
                UserData.SSH_HOST_KEY_PUBLIC, hostPublic,
                UserData.SSH_HOST_KEY_PRIVATE, UserData.quoted(SshKeys.privateKeyText(host)));
        return new SshAccess(new SshLauncher(user, port, hostPublic, loginSecret), vars);
    }

    public SshLauncher launcher() {
        return launcher;
    }

    /** For {@link UserData#render}: holds the host private key; never log it. */
    public Map<String, String> userDataVariables() {
        return userDataVariables;
    }
}
