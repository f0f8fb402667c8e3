package io.jenkins.plugins.openstackagents.ssh;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Iterator;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * The key pairs of SSH agents, in the text forms OpenSSH and cloud-init read: ECDSA P-256 (the strongest type this
 * build's MINA supports without an extra provider; ssh-ed25519 would need one), private keys in the OpenSSH format,
 * public keys as one {@code authorized_keys} line.
 */
public final class SshKeys {

    private SshKeys() {
    }

    /** A new ECDSA P-256 key pair. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot make EC P-256 keys", e);
        }
    }

    /** The private key as {@code -----BEGIN OPENSSH PRIVATE KEY-----} text, not encrypted (a Secret holds it). */
    public static String privateKeyText(KeyPair pair) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "", null, out);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write an OpenSSH private key", e);
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** The public key as one line: {@code ecdsa-sha2-nistp256 AAAA...}. */
    public static String publicKeyLine(PublicKey key) {
        return PublicKeyEntry.toString(key);
    }

    /** The {@code SHA256:...} fingerprint OpenSSH prints for the key of this line. */
    public static String fingerprint(String publicKeyLine) throws IOException {
        return KeyUtils.getFingerPrint(parsePublicKey(publicKeyLine));
    }

    public static PublicKey parsePublicKey(String line) throws IOException {
        try {
            return AuthorizedKeyEntry.parseAuthorizedKeyEntry(line.trim()).resolvePublicKey(null,
                    PublicKeyEntryResolver.FAILING);
        } catch (GeneralSecurityException | IllegalArgumentException | NullPointerException e) {
            throw new IOException("not an OpenSSH public key line", e);
        }
    }

    /** Reads an OpenSSH or PEM private key (not protected by a passphrase); the message never quotes the text. */
    public static KeyPair parsePrivateKey(String text) throws IOException {
        try {
            Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName("login key"),
                    new ByteArrayInputStream(text.trim().concat("\n").getBytes(StandardCharsets.UTF_8)), null);
            Iterator<KeyPair> it = pairs == null ? null : pairs.iterator();
            if (it == null || !it.hasNext()) {
                throw new IOException("no private key found (expected -----BEGIN OPENSSH PRIVATE KEY----- or a PEM key)");
            }
            return it.next();
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IOException("not a private key this plugin can read (an OpenSSH or PEM key without passphrase)",
                    e);
        }
    }
}
