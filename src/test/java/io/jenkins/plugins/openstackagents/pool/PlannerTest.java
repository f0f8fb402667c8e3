package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;

import io.jenkins.plugins.openstackagents.nova.Limits;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.Test;

/** How many servers a plan may reserve: the caps and Nova's quota, with what is in flight counted once. */
public class PlannerTest {

    private static final Quota SMALL = new Quota(1, 1, 512);
    private static final Quota BIG = new Quota(1, 4, 8192);
    private final Ledger ledger = new Ledger();
    private final Planner planner = new Planner(ledger);
    private final AtomicInteger seq = new AtomicInteger();
    private final Supplier<String> names = () -> "srv-" + seq.incrementAndGet();
    private final Instant t0 = Instant.parse("2026-11-23T10:00:00Z");

    private static LimitsSnapshot limits(int maxInst, int usedInst, int maxCores, int usedCores, int maxRam,
                                         int usedRam, Instant at) {
        return new LimitsSnapshot(new Limits(maxInst, usedInst, maxCores, usedCores, maxRam, usedRam), at);
    }

    private Planner.Plan plan(Quota each, int wanted, int templateCap, int cloudCap, LimitsSnapshot l) {
        return planner.reserve(new Planner.Request("t", each, wanted, templateCap), cloudCap, l, names, t0);
    }

    @Test
    public void instancesBound() {
        Planner.Plan p = plan(SMALL, 10, 0, 0, limits(3, 1, -1, 0, -1, 0, t0));
        assertEquals(2, p.reserved().size());
        assertEquals(Planner.Bound.QUOTA, p.bound());
    }

    @Test
    public void coresAndRamBound() {
        assertEquals(2, plan(BIG, 10, 0, 0, limits(-1, 0, 10, 1, -1, 0, t0)).reserved().size());
        ledger.entries().forEach(e -> ledger.gone(e.name(), t0));
        assertEquals(3, plan(BIG, 10, 0, 0, limits(-1, 0, -1, 0, 30000, 4000, t0)).reserved().size());
    }

    @Test
    public void unlimitedQuotaLeavesTheCaps() {
        Planner.Plan p = plan(SMALL, 50, 0, 20, limits(-1, 0, -1, 0, -1, 0, t0));
        assertEquals(20, p.reserved().size());
        assertEquals(Planner.Bound.CLOUD_CAP, p.bound());
        Planner.Plan q = planner.reserve(new Planner.Request("u", SMALL, 5, 2), 0, limits(-1, 0, -1, 0, -1, 0, t0),
                names, t0);
        assertEquals(2, q.reserved().size());
        assertEquals(Planner.Bound.TEMPLATE_CAP, q.bound());
    }

    @Test
    public void inFlightServersAreCountedUntilNovaCountsThem() {
        LimitsSnapshot before = limits(3, 0, -1, 0, -1, 0, t0);
        assertEquals(2, plan(SMALL, 2, 0, 0, before).reserved().size());
        // the same snapshot: the two reserved are not in Nova's figure yet, so only one more fits
        assertEquals(1, plan(SMALL, 5, 0, 0, before).reserved().size());
        assertEquals(0, plan(SMALL, 5, 0, 0, before).reserved().size());
        // accepted before a later read: Nova counts them, the ledger does not count them again
        for (Ledger.Entry e : ledger.entries()) {
            ledger.accepted(e.name(), "id-" + e.name(), t0.plusSeconds(1));
        }
        assertEquals(0, plan(SMALL, 5, 0, 0, limits(3, 3, -1, 0, -1, 0, t0.plusSeconds(2))).reserved().size());
    }

    @Test
    public void deletingServersHoldQuotaUntilGone() {
        LimitsSnapshot l = limits(2, 0, -1, 0, -1, 0, t0);
        Planner.Plan p = plan(SMALL, 2, 0, 0, l);
        for (String n : p.reserved()) {
            ledger.accepted(n, "id-" + n, t0.plusSeconds(1));
        }
        LimitsSnapshot full = limits(2, 2, -1, 0, -1, 0, t0.plusSeconds(2));
        ledger.transition(p.reserved().get(0), Ledger.State.DELETING, t0.plusSeconds(3), "used");
        assertEquals(0, plan(SMALL, 1, 0, 0, full).reserved().size());
        // a check after that read still found it, then Nova answered 404: its quota is free although the read
        // is older
        ledger.seen(p.reserved().get(0), t0.plusSeconds(3));
        ledger.gone(p.reserved().get(0), t0.plusSeconds(4));
        assertEquals(1, plan(SMALL, 5, 0, 0, full).reserved().size());
    }

    @Test
    public void atQuotaOneReleasedAndOneRequestedSinceTheReadLeaveNothingFree() {
        LimitsSnapshot before = limits(2, 0, -1, 0, -1, 0, t0);
        Planner.Plan p = plan(SMALL, 2, 0, 0, before);
        for (String n : p.reserved()) {
            ledger.accepted(n, "id-" + n, t0.plusSeconds(1));
        }
        LimitsSnapshot full = limits(2, 2, -1, 0, -1, 0, t0.plusSeconds(2));
        ledger.seen(p.reserved().get(0), t0.plusSeconds(3));
        ledger.gone(p.reserved().get(0), t0.plusSeconds(4));
        assertEquals(1, plan(SMALL, 1, 0, 0, full).reserved().size()); // takes the released slot
        // the read still says 2 of 2; since then one released (+1) and one requested (-1): nothing is free
        assertEquals(0, plan(SMALL, 1, 0, 0, full).reserved().size());
    }

    @Test
    public void aDeletionLearnedLateIsNotFreedTwice() {
        LimitsSnapshot l = limits(2, 0, -1, 0, -1, 0, t0);
        Planner.Plan p = plan(SMALL, 2, 0, 0, l);
        for (String n : p.reserved()) {
            ledger.accepted(n, "id-" + n, t0.plusSeconds(1));
        }
        // Nova drops the first server at t0+5 and counts 1 used at t0+10; we only learn of its 404 at t0+20
        LimitsSnapshot after = limits(2, 1, -1, 0, -1, 0, t0.plusSeconds(10));
        ledger.transition(p.reserved().get(0), Ledger.State.DELETING, t0.plusSeconds(3), "used");
        ledger.gone(p.reserved().get(0), t0.plusSeconds(20));
        assertEquals("one free slot, not two", 1, plan(SMALL, 5, 0, 0, after).reserved().size());
    }

    @Test
    public void anotherControllersServersAreInNovasFigure() {
        // 2 of 3 instances used by someone else: exactly one fits
        assertEquals(1, plan(SMALL, 3, 0, 0, limits(3, 2, -1, 0, -1, 0, t0)).reserved().size());
    }
}
