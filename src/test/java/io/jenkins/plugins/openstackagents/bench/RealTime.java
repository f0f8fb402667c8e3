package io.jenkins.plugins.openstackagents.bench;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The wall clock, for the live benchmark: every callback runs on one thread of a scheduled executor, so the models
 * need no locks, as on the virtual clock. A callback that throws is logged and remembered ({@link #failure}); the
 * others go on.
 */
final class RealTime implements Timeline, AutoCloseable {

    private static final Logger LOGGER = Logger.getLogger(RealTime.class.getName());

    private final ScheduledExecutorService thread;
    private final long start = System.nanoTime();
    private volatile Throwable failure;

    RealTime(String name) {
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "timeline-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    @Override
    public void after(double delaySeconds, Runnable r) {
        try {
            thread.schedule(() -> {
                try {
                    r.run();
                } catch (RuntimeException | Error e) {
                    if (failure == null) {
                        failure = e;
                    }
                    LOGGER.log(Level.WARNING, "a callback failed", e);
                }
            }, Math.max(0, Math.round(delaySeconds * 1e9)), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed: the run is over, nothing more is scheduled
        }
    }

    /** Runs {@code c} on the timeline's thread, after what is due now, and returns its result. */
    <T> T ask(Callable<T> c) throws InterruptedException {
        try {
            return thread.submit(c).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    /** The first callback that threw, if any. */
    Throwable failure() {
        return failure;
    }

    /** Runs nothing more; waits for the callback running now. */
    @Override
    public void close() throws InterruptedException {
        thread.shutdownNow();
        thread.awaitTermination(30, TimeUnit.SECONDS);
    }
}
