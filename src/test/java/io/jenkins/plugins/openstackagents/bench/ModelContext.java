package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.Flavor;
import java.util.Random;

/**
 * What a model of a peer's provisioning runs with: a timeline, the Nova requests it makes, the builds, the flavor of
 * every server, and its own random. Nothing in it says whether the run is simulated or live.
 */
record ModelContext(Timeline time, ModelNova nova, BuildQueue queue, Flavor flavor, Random random) {
}
