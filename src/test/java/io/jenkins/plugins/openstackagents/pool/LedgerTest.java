package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;

import io.jenkins.plugins.openstackagents.nova.Limits;
import java.time.Instant;
import org.junit.Test;

/** What a server that goes gives back of the quota figures Nova read: only what those figures counted. */
public class LedgerTest {

    private static final Quota SMALL = new Quota(1, 1, 512);
    private static final Instant T0 = Instant.parse("2026-12-02T16:58:28Z");

    private Ledger serverGoneAfterARead() {
        Ledger l = new Ledger();
        l.reserve("a", "t", SMALL, T0);
        l.accepted("a", "id-a", T0);
        // the read (T0 + 1 s) happens while "a" is still BUILDING; then it runs, is seen, and goes
        l.transition("a", Ledger.State.RUNNING, T0.plusSeconds(3), "ACTIVE");
        l.seen("a", T0.plusSeconds(3));
        l.gone("a", T0.plusSeconds(13));
        return l;
    }

    private static LimitsSnapshot read(int used) {
        return new LimitsSnapshot(new Limits(3, used, -1, used, -1, 512 * used), T0.plusSeconds(1));
    }

    @Test
    public void aServerNovaHadNotCountedYetFreesNothingWhenItGoes() {
        // seen in EndToEndIT: Nova read 0/3 used while the first server was BUILDING; its delete then made the
        // planner see 2 free of 3 beside 2 running servers, and Nova failed one of the 2 creates late (413)
        assertEquals(Quota.NONE, serverGoneAfterARead().releasedSince(read(0)));
    }

    @Test
    public void aServerNovaCountedFreesItsRoomWhenItGoes() {
        assertEquals(SMALL, serverGoneAfterARead().releasedSince(read(1)));
    }
}
