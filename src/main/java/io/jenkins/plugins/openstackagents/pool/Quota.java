package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.Flavor;
import io.jenkins.plugins.openstackagents.nova.Limits;

/**
 * An amount of compute quota: instances, cores and RAM. {@link #UNLIMITED} in a dimension means no limit there;
 * arithmetic keeps an unlimited dimension unlimited.
 */
public record Quota(int instances, int cores, int ramMb) {

    public static final int UNLIMITED = -1;
    public static final Quota NONE = new Quota(0, 0, 0);
    public static final Quota INFINITE = new Quota(UNLIMITED, UNLIMITED, UNLIMITED);

    /** What one server of this flavor takes. */
    public static Quota of(Flavor flavor) {
        return new Quota(1, flavor.vcpus(), flavor.ramMb());
    }

    /** What Nova says is still free: each limit minus what it counts as used. */
    public static Quota headroom(Limits l) {
        return new Quota(free(l.maxInstances(), l.usedInstances()), free(l.maxCores(), l.usedCores()),
                free(l.maxRamMb(), l.usedRamMb()));
    }

    /** The maximum as a quota, for caps: {@code cap <= 0} means no cap. */
    public static Quota instancesCap(int cap) {
        return new Quota(cap > 0 ? cap : UNLIMITED, UNLIMITED, UNLIMITED);
    }

    private static int free(int max, int used) {
        return max < 0 ? UNLIMITED : Math.max(0, max - used);
    }

    public Quota plus(Quota o) {
        return new Quota(add(instances, o.instances), add(cores, o.cores), add(ramMb, o.ramMb));
    }

    public Quota minus(Quota o) {
        return new Quota(sub(instances, o.instances), sub(cores, o.cores), sub(ramMb, o.ramMb));
    }

    public Quota times(int n) {
        return new Quota(mul(instances, n), mul(cores, n), mul(ramMb, n));
    }

    /** Whether {@code need} fits in this amount, in every dimension. */
    public boolean fits(Quota need) {
        return fit(instances, need.instances) && fit(cores, need.cores) && fit(ramMb, need.ramMb);
    }

    /** How many of {@code each} fit in this amount; {@link Integer#MAX_VALUE} if unbounded. */
    public int count(Quota each) {
        return Math.min(count(instances, each.instances), Math.min(count(cores, each.cores), count(ramMb, each.ramMb)));
    }

    private static int add(int a, int b) {
        return a < 0 || b < 0 ? UNLIMITED : a + b;
    }

    private static int sub(int a, int b) {
        return a < 0 ? UNLIMITED : Math.max(0, a - Math.max(0, b));
    }

    private static int mul(int a, int n) {
        return a < 0 ? UNLIMITED : a * n;
    }

    private static boolean fit(int have, int need) {
        return have < 0 || need <= have;
    }

    private static int count(int have, int each) {
        if (have < 0 || each <= 0) {
            return Integer.MAX_VALUE;
        }
        return have / each;
    }

    @Override
    public String toString() {
        return dim(instances) + " instances, " + dim(cores) + " cores, " + dim(ramMb) + " MB RAM";
    }

    private static String dim(int v) {
        return v < 0 ? "unlimited" : Integer.toString(v);
    }
}
