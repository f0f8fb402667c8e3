package io.jenkins.plugins.openstackagents.nova;

/** A Neutron security group of the project: what a template's security groups name. */
public record SecurityGroup(String id, String name) {
}
