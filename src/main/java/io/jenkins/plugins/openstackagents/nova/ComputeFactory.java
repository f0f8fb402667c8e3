package io.jenkins.plugins.openstackagents.nova;

/** Makes the {@link Compute} for a cloud's connection settings; authenticating is left to the first call. */
public interface ComputeFactory {
    Compute connect(ConnectionSettings settings);
}
