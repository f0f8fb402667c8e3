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

    @Test
    public void onlyNovaKnowsOpenstack4j() throws IOException {
        assertEquals(List.of(), imports("pool", "org.openstack4j."));
        try (Stream<Path> files = Files.list(MAIN)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList())) {
                for (String l : Files.readAllLines(p)) {
                    assertTrue(p + ": " + l, !l.startsWith("import org.openstack4j."));
                }
            }
        }
    }
}
