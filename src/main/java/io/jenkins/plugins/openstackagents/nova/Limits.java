package io.jenkins.plugins.openstackagents.nova;

/** Nova's absolute limits for the project ({@code -1} = unlimited) and what it counts as used. */
public record Limits(
        int maxInstances, int usedInstances,
        int maxCores, int usedCores,
        int maxRamMb, int usedRamMb) {
}
