package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.nova.Compute;
import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The models' view of the real Nova, through the project's {@link Compute}: each request is made on a pool of
 * threads (as a peer's client would make them, several at once), and its answer is run on the models' timeline
 * when it arrives. Servers boot from the given image on Nova's default network, without user data.
 */
final class LiveModelNova implements ModelNova, AutoCloseable {

    /** Requests in flight at most; more wait for a thread. */
    static final int THREADS = 16;

    private final Compute compute;
    private final Timeline time;
    private final String imageId;
    private final int maxInstances;
    private final Random random;
    private final ExecutorService requests = Executors.newFixedThreadPool(THREADS, r -> {
        Thread t = new Thread(r, "live-model-nova");
        t.setDaemon(true);
        return t;
    });

    LiveModelNova(Compute compute, Timeline time, String imageId, int maxInstances, long seed) {
        this.compute = compute;
        this.time = time;
        this.imageId = imageId;
        this.maxInstances = maxInstances;
        this.random = new Random(seed);
    }

    @Override
    public <T> void call(String kind, Request<T> request, Consumer<T> ok, Consumer<ComputeException> failed) {
        try {
            requests.execute(() -> {
                try {
                    T r = request.call();
                    time.after(0, () -> ok.accept(r));
                } catch (ComputeException e) {
                    time.after(0, () -> failed.accept(e));
                }
            });
        } catch (RejectedExecutionException e) {
            // closed: the run is over
        }
    }

    @Override
    public String create(String name, Map<String, String> metadata, Flavor flavor) throws ComputeException {
        return compute.create(new ServerRequest(name, flavor.id(), imageId, List.of(), null, List.of(), null, null,
                metadata)).id();
    }

    @Override
    public Optional<Server.Status> status(String id) throws ComputeException {
        return compute.find(id).map(Server::status);
    }

    @Override
    public List<String> list(Map<String, String> selector) throws ComputeException {
        List<String> ids = new ArrayList<>();
        for (Server s : compute.list(selector)) {
            ids.add(s.id());
        }
        return ids;
    }

    @Override
    public boolean delete(String id) throws ComputeException {
        return compute.delete(id);
    }

    @Override
    public int maxInstances() {
        return maxInstances;
    }

    @Override
    public synchronized double uniform(double min, double max) {
        return min + random.nextDouble() * (max - min);
    }

    /** Makes no more requests; waits up to a minute for those in flight (a create may still land). */
    @Override
    public void close() throws InterruptedException {
        requests.shutdown();
        if (!requests.awaitTermination(60, TimeUnit.SECONDS)) {
            requests.shutdownNow();
        }
    }
}
