package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Server;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The Nova requests the models make, and how their answers reach them: the simulated Nova on the virtual clock
 * ({@link SimNova#models}) or the real one through the project's {@code Compute} ({@link LiveModelNova}). The models
 * make each request inside {@link #call}, never directly, so that it runs where and when this Nova says.
 */
interface ModelNova {

    /** A request to Nova. */
    @FunctionalInterface
    interface Request<T> {
        T call() throws ComputeException;
    }

    /**
     * Makes the request; its answer ({@code ok}) or failure ({@code failed}) is then run on the models' timeline.
     * {@code kind} ("POST", "GET", "DELETE") is what the simulated Nova draws the response time for.
     */
    <T> void call(String kind, Request<T> request, Consumer<T> ok, Consumer<ComputeException> failed);

    /** {@code POST /servers}: the new server's id. */
    String create(String name, Map<String, String> metadata, Flavor flavor) throws ComputeException;

    /** {@code GET /servers/{id}}: the server's status, empty once Nova no longer knows it (404). */
    Optional<Server.Status> status(String id) throws ComputeException;

    /** {@code GET /servers/detail}: the ids of the servers whose metadata holds every entry of the selector. */
    List<String> list(Map<String, String> selector) throws ComputeException;

    /** {@code DELETE /servers/{id}}: true when accepted, false when the server was already gone. */
    boolean delete(String id) throws ComputeException;

    /** The project's instance quota (what a careful administrator sets as the existing plugin's cap). */
    int maxInstances();

    /**
     * A random draw for a model's timers. In the simulation it comes from the simulated Nova's random, as it always
     * has, so that the simulated figures stay what they were.
     */
    double uniform(double min, double max);
}
