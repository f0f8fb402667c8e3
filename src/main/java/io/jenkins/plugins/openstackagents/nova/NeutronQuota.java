package io.jenkins.plugins.openstackagents.nova;

/** What Neutron's quota lets the project hold of the resources the plugin allocates, and what it counts now. */
public record NeutronQuota(Usage floatingIps, Usage ports) {

    /**
     * One resource's limit ({@code -1} = unlimited) and what Neutron counts against it: the resources that exist
     * plus those it has reserved for creations in progress, as its own quota check counts them.
     */
    public record Usage(int limit, int used) {
    }
}
