package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.Image;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A template's image as the administrator gave it: a Glance image id (used as is), a name, or {@code tag:T}. A name
 * or a tag stands for the newest ACTIVE image that has it, by Glance's {@code created_at}: uploading a new image
 * under the same name (or tag) is how a cloud's images are updated.
 */
public record ImageRef(String text) {

    public static final String TAG_PREFIX = "tag:";
    private static final Pattern UUID = Pattern.compile("[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?"
            + "[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");
    /** Oldest first: a missing creation time counts as the oldest; equal times are ordered by id. */
    private static final Comparator<Image> AGE = Comparator
            .comparing(Image::createdAt, Comparator.nullsFirst(Comparator.<Instant>naturalOrder()))
            .thenComparing(Image::id);

    /** Shaped like an image id: Nova is given it as is, and no image list is read for it. */
    public boolean isId() {
        return UUID.matcher(text).matches();
    }

    /** {@code tag:T}: the newest ACTIVE image tagged T. */
    public boolean isTag() {
        return text.startsWith(TAG_PREFIX) && text.length() > TAG_PREFIX.length();
    }

    /**
     * The image this stands for in {@code images}: the one with this id, else the newest ACTIVE one with this name
     * (or tag); empty if none.
     */
    public Optional<Image> choose(List<Image> images) {
        for (Image i : images) {
            if (i.id().equals(text)) {
                return Optional.of(i);
            }
        }
        String tag = isTag() ? text.substring(TAG_PREFIX.length()) : null;
        return images.stream()
                .filter(i -> i.status() == null || "active".equals(i.status().toLowerCase(Locale.ROOT)))
                .filter(i -> tag != null ? i.tags().contains(tag) : text.equals(i.name()))
                .max(AGE);
    }
}
