package io.jenkins.plugins.openstackagents.pool;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.jenkins.plugins.openstackagents.nova.Limits;
import org.junit.Test;

public class QuotaTest {

    @Test
    public void headroomAndCount() {
        Quota free = Quota.headroom(new Limits(10, 7, 20, 19, -1, 123));
        assertEquals(new Quota(3, 1, Quota.UNLIMITED), free);
        assertEquals(1, free.count(new Quota(1, 1, 512)));
        assertEquals(0, free.count(new Quota(1, 2, 512)));
        assertEquals(Integer.MAX_VALUE, Quota.INFINITE.count(new Quota(1, 1, 1)));
    }

    @Test
    public void arithmeticKeepsUnlimitedAndNeverGoesNegative() {
        Quota q = new Quota(2, Quota.UNLIMITED, 1024);
        assertEquals(new Quota(0, Quota.UNLIMITED, 0), q.minus(new Quota(5, 3, 2048)));
        assertEquals(new Quota(3, Quota.UNLIMITED, 1536), q.plus(new Quota(1, 1, 512)));
        assertTrue(q.fits(new Quota(2, 100, 1024)));
        assertFalse(q.fits(new Quota(3, 0, 0)));
        assertEquals("2 instances, unlimited cores, 1024 MB RAM", q.toString());
    }
}
