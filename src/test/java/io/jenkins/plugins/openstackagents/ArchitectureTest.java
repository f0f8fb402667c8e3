package io.jenkins.plugins.openstackagents;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;

/** The cloud API and the provisioning logic know nothing of Jenkins; only {@code nova} knows openstack4j. */
public class ArchitectureTest {

    private static final Path MAIN = Paths.get("src/main/java/io/jenkins/plugins/openstackagents");

    private static List<String> imports(String pkg, String... prefixes) throws IOException {
        try (Stream<Path> files = Files.walk(MAIN.resolve(pkg))) {
            return files.filter(p -> p.toString().endsWith(".java")).flatMap(p -> {
                try {
                    return Files.readAllLines(p).stream().map(l -> p.getFileName() + ": " + l.trim());
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }).filter(l -> {
                for (String prefix : prefixes) {
                    if (l.contains("import " + prefix) || l.contains("import static " + prefix)) {
                        return true;
                    }
                }
                return false;
            }).collect(Collectors.toList());
        }
    }

    @Test
    public void novaAndPoolImportNoJenkinsType() throws IOException {
        assertTrue(Files.isDirectory(MAIN.resolve("nova")));
        assertEquals(List.of(), imports("nova", "hudson.", "jenkins.", "org.kohsuke."));
        assertEquals(List.of(), imports("pool", "hudson.", "jenkins.", "org.kohsuke."));
    }

    /** The forms check and list; they neither provision nor know the Jenkins beans that hold the configuration. */
    @Test
    public void formsKnowNoProvisioningAndNoBean() throws IOException {
        List<String> root = imports("forms", "io.jenkins.plugins.openstackagents.OpenStack",
                "io.jenkins.plugins.openstackagents.AgentTemplate", "io.jenkins.plugins.openstackagents.Provisioning");
        assertEquals(List.of(), root);
    }

    /** SSH agents know how to reach a node, not what a cloud, a template or provisioning is. */
    @Test
    public void sshKnowsNoCloudAndNoProvisioning() throws IOException {
        List<String> wrong = imports("ssh", "io.jenkins.plugins.openstackagents.OpenStack",
                "io.jenkins.plugins.openstackagents.AgentTemplate", "io.jenkins.plugins.openstackagents.Provisioning",
                "io.jenkins.plugins.openstackagents.nova", "io.jenkins.plugins.openstackagents.forms",
                "org.openstack4j");
        assertEquals(List.of(), wrong);
    }

    /**
     * Stapler 1.155 reads the class files of data-bound classes and descriptors with ASM 2, which fails on
     * invokedynamic (lambdas, indy string concatenation): keep those class files free of it.
     */
    @Test
    public void classesStaplerReadsHaveNoInvokedynamic() throws IOException {
        for (String c : List.of("OpenStackCloud", "OpenStackCloud$DescriptorImpl", "AgentTemplate",
                "AgentTemplate$DescriptorImpl", "OpenStackAgent", "OpenStackAgent$DescriptorImpl", "ssh/SshLauncher",
                "ssh/SshLauncher$DescriptorImpl", "AgentNetwork", "AgentNetwork$DescriptorImpl")) {
            Path f = Paths.get("target/classes/io/jenkins/plugins/openstackagents/" + c + ".class");
            assertTrue(f + " uses invokedynamic", !hasInvokedynamic(Files.readAllBytes(f)));
        }
    }

    /** Whether the constant pool holds a CONSTANT_InvokeDynamic (tag 18). */
    private static boolean hasInvokedynamic(byte[] b) throws IOException {
        java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(b));
        in.readInt();
        in.readUnsignedShort();
        in.readUnsignedShort();
        int n = in.readUnsignedShort();
        for (int i = 1; i < n; i++) {
            int tag = in.readUnsignedByte();
            switch (tag) {
                case 1: in.readUTF(); break;
                case 7: case 8: case 16: case 19: case 20: in.readUnsignedShort(); break;
                case 15: in.readUnsignedByte(); in.readUnsignedShort(); break;
                case 18: return true;
                case 3: case 4: case 9: case 10: case 11: case 12: case 17: in.readInt(); break;
                case 5: case 6: in.readLong(); i++; break;
                default: throw new IOException("unknown constant pool tag " + tag);
            }
        }
        return false;
    }

    @Test
    public void onlyNovaKnowsOpenstack4j() throws IOException {
        assertEquals(List.of(), imports("pool", "org.openstack4j."));
        assertTrue(Files.isDirectory(MAIN.resolve("forms")));
        assertEquals(List.of(), imports("forms", "org.openstack4j."));
        try (Stream<Path> files = Files.list(MAIN)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
                for (String l : Files.readAllLines(p)) {
                    assertTrue(p + ": " + l, !l.startsWith("import org.openstack4j."));
                }
            }
        }
    }
}
