package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.jenkins.plugins.openstackagents.nova.Image;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.Test;

public class ImageRefTest {

    private static final Instant T0 = Instant.parse("2026-11-01T00:00:00Z");

    private static Image image(String id, String name, String status, int day, String... tags) {
        return new Image(id, name, status, T0.plusSeconds(86_400L * day), List.of(tags));
    }

    private final List<Image> images = List.of(
            image("a1", "debian-12", "active", 1, "ci"),
            image("a3", "debian-12", "active", 3),
            image("a4", "debian-12", "queued", 4, "ci"), // uploading: not bootable yet
            image("b2", "ubuntu-24", "active", 2, "ci"),
            new Image("c0", "old", "active")); // Glance did not say when

    private String chosen(String ref) {
        return new ImageRef(ref).choose(images).map(Image::id).orElse(null);
    }

    @Test
    public void aNameIsTheNewestActiveImageOfThatName() {
        assertEquals("a3", chosen("debian-12"));
        assertEquals("b2", chosen("ubuntu-24"));
        assertEquals("c0", chosen("old"));
        assertEquals(null, chosen("fedora"));
    }

    @Test
    public void aTagIsTheNewestActiveImageWithThatTag() {
        assertTrue(new ImageRef("tag:ci").isTag());
        assertEquals("b2", chosen("tag:ci"));
        assertEquals(null, chosen("tag:none"));
        assertFalse("tag: alone is a name", new ImageRef("tag:").isTag());
    }

    @Test
    public void anIdIsThatImageAndNeedsNoList() {
        assertEquals("a1", chosen("a1"));
        assertTrue(new ImageRef("3f2c6d0e-5b1a-4c9e-9d0e-1a2b3c4d5e6f").isId());
        assertTrue(new ImageRef("3f2c6d0e5b1a4c9e9d0e1a2b3c4d5e6f").isId());
        assertFalse(new ImageRef("debian-12").isId());
        assertEquals(Optional.empty(), new ImageRef("3f2c6d0e-5b1a-4c9e-9d0e-1a2b3c4d5e6f").choose(images));
    }

    @Test
    public void equalTimesAreOrderedById() {
        List<Image> twins = List.of(image("x2", "twin", "active", 1), image("x1", "twin", "active", 1));
        assertEquals("x2", new ImageRef("twin").choose(twins).get().id());
    }
}
