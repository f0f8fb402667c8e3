package io.jenkins.plugins.openstackagents.nova;

/** A Glance image the project can boot. */
public record Image(String id, String name, String status) {
}
