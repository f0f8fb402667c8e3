package io.jenkins.plugins.openstackagents.bench;

import io.jenkins.plugins.openstackagents.pool.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.Semaphore;

/**
 * A deterministic discrete-event scheduler with a virtual clock, for running the plugin's real blocking code.
 *
 * <p>Two kinds of work: <em>events</em> (callbacks run on the coordinator's thread at a virtual instant) and
 * <em>actors</em> (each a thread of its own, for code that blocks in {@link Sleeper#sleep}, such as
 * {@code CloudRuntime.awaitActive}). Exactly one of them runs at any moment: the coordinator hands the baton to an
 * actor and waits until it sleeps or ends, so the order of everything is fixed by (virtual time, order of
 * scheduling), and a run with the same seeds gives the same result. {@link #sleep} parks the calling actor until
 * the clock reaches now + d; the clock jumps from one wake-up to the next.
 *
 * <p>An actor must never block on anything but {@link #sleep} (a monitor held by a sleeping actor would stall the
 * run): the simulated Nova therefore answers the calls the plugin makes under its own lock (limits, flavors) at
 * once.
 */
final class VirtualTime extends Clock implements Sleeper, Timeline {

    static final Instant EPOCH = Instant.parse("2016-08-16T06:53:00Z");

    private record Task(long at, long seq, Runnable event, Actor actor) {
    }

    private final class Actor {
        final Semaphore go = new Semaphore(0);
        Thread thread;
        boolean done;
    }

    private final PriorityQueue<Task> queue = new PriorityQueue<>((a, b) ->
            a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));
    private final Semaphore coordinator = new Semaphore(0);
    private final ThreadLocal<Actor> current = new ThreadLocal<>();
    private final List<Actor> actors = new ArrayList<>();
    private volatile boolean stopping;
    private long now; // nanoseconds since EPOCH
    private long seq;
    private Throwable failure;

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return EPOCH.plusNanos(now);
    }

    /** Virtual seconds since the start. */
    @Override
    public double seconds() {
        return now / 1e9;
    }

    long nanos() {
        return now;
    }

    /** Runs {@code r} on the coordinator at now + {@code delaySeconds}. */
    @Override
    public void after(double delaySeconds, Runnable r) {
        queue.add(new Task(now + Math.max(0, Math.round(delaySeconds * 1e9)), seq++, r, null));
    }

    /** Starts an actor (a thread that may sleep in virtual time) at the current instant. */
    void spawn(String name, Body body) {
        Actor a = new Actor();
        a.thread = new Thread(() -> {
            a.go.acquireUninterruptibly();
            current.set(a);
            try {
                if (!stopping) {
                    body.run();
                }
            } catch (InterruptedException e) {
                // stopped at the end of the run
            } catch (Throwable t) {
                if (!stopping && failure == null) {
                    failure = t;
                }
            } finally {
                a.done = true;
                if (!stopping) {
                    coordinator.release();
                }
            }
        }, "sim-" + name);
        a.thread.setDaemon(true);
        a.thread.start();
        actors.add(a);
        queue.add(new Task(now, seq++, null, a));
    }

    /** The body of an actor. */
    @FunctionalInterface
    interface Body {
        void run() throws Exception;
    }

    @Override
    public void sleep(Duration d) throws InterruptedException {
        Actor a = current.get();
        if (a == null) {
            throw new IllegalStateException("sleep() outside an actor");
        }
        if (stopping) {
            throw new InterruptedException("simulation over");
        }
        queue.add(new Task(now + Math.max(0, d.toNanos()), seq++, null, a));
        coordinator.release();
        a.go.acquire();
        if (stopping) {
            throw new InterruptedException("simulation over");
        }
    }

    /** Runs everything due up to {@code endSeconds}, then sets the clock there. */
    void runUntil(double endSeconds) {
        long end = Math.round(endSeconds * 1e9);
        while (!queue.isEmpty() && queue.peek().at <= end) {
            Task t = queue.poll();
            now = t.at;
            if (t.event != null) {
                t.event.run();
            } else if (!t.actor.done) {
                t.actor.go.release();
                coordinator.acquireUninterruptibly();
            }
            if (failure != null) {
                throw new IllegalStateException("an actor failed at t=" + seconds() + " s", failure);
            }
        }
        now = Math.max(now, end);
        actors.removeIf(a -> a.done);
    }

    /**
     * Ends every actor still sleeping (its next sleep throws {@link InterruptedException}) and waits for them; call
     * once, after the last {@link #runUntil} and after reading the results.
     */
    void stop() {
        stopping = true;
        for (Actor a : actors) {
            if (!a.done) {
                a.thread.interrupt();
                a.go.release();
            }
        }
        for (Actor a : actors) {
            try {
                a.thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        actors.clear();
        queue.clear();
    }
}
