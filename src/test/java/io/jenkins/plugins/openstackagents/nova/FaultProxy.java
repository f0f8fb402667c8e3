package io.jenkins.plugins.openstackagents.nova;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A reverse proxy on 127.0.0.1 that passes requests to an OpenStack service (a real one, or a stub) and answers some
 * of them with a fault instead: an error status, a connection reset, a late answer, a 429 with {@code Retry-After}.
 * It counts every request by method, path and status, so a test can also assert how often the client asked.
 *
 * <pre>{@code
 * try (FaultProxy nova = FaultProxy.start("http://127.0.0.1:8774")) {
 *     nova.inject(Match.of("GET", ".+/limits"), Fault.status(503), 1);   // the next GET .../limits only
 *     nova.inject(Match.of("POST", ".+/servers"), Fault.reset());          // every POST .../servers, until cleared
 *     ...
 *     nova.count("GET", ".+/limits", 503);            // 1
 *     nova.peakPerSecond(Match.of("POST", ".+/servers")); // most POSTs that arrived within one second
 *     nova.clearFaults();
 * }
 * }</pre>
 *
 * <h2>Faults</h2>
 *
 * A {@link Rule} pairs a {@link Match} (method and a regular expression for the whole path, query excluded, as the
 * client sent it to the proxy) with a {@link Fault}, for the next {@code n} matching requests or until cleared. For
 * each request the rules are tried in the order they were injected and the first that matches and has a use left
 * decides; no rule means pass-through. {@link Fault#passThrough()} can thus exempt some requests from a broader
 * fault injected after it. A faulted request is not sent upstream, except for {@link Fault#delay}, which models a
 * slow service: the request is sent and its answer held back (so a delayed {@code POST /servers} against a real Nova
 * does create a server that the client, having timed out, does not know about).
 *
 * <h2>Keystone's catalog</h2>
 *
 * A client reaches Nova through the URL Keystone's token answer gives it, not through the URL it was configured
 * with. So the proxy rewrites URLs in the answers it passes on (every JSON or text body, and {@code Location}):
 * each rewrite maps an upstream base URL to the URL the client should use instead. Every proxy rewrites its own
 * target to its own address, so a proxy in front of a cloud that serves everything under one base (the stub of
 * {@code Openstack4jComputeTest}, or devstack behind Apache at {@code http://127.0.0.1/...}) routes every service
 * through itself. For services on other ports there are two ways, which can be combined:
 *
 * <ul>
 *   <li>one proxy per service: {@code keystone.routeThrough(nova)} makes the Keystone proxy hand out the Nova
 *       proxy's address wherever the catalog says the Nova proxy's target; the two proxies then have their own
 *       faults and counters;</li>
 *   <li>one proxy by path prefix: {@code keystone.mount("/nova", "http://127.0.0.1:8774")} forwards
 *       {@code /nova/...} to Nova without the prefix and rewrites {@code http://127.0.0.1:8774} in the catalog to
 *       {@code <proxy>/nova}; faults and counters then see the prefixed path.</li>
 * </ul>
 *
 * Rewrites are applied longest source first, in one pass, and only where the source URL ends (not inside
 * {@code :87745} or {@code /computer}). They must be in place before the client asks for its token. The proxy asks
 * upstream for uncompressed answers so that it can rewrite them.
 *
 * <h2>Limits</h2>
 *
 * HTTP/1.1 with keep-alive, no TLS, loopback only. At most {@link #MAX_CONNECTIONS} connections are served at once
 * (one thread each, idle ones closed after {@link #IDLE_TIMEOUT}); a connection beyond that is closed unanswered and
 * counted by {@link #rejectedConnections()}. Upstream calls time out (connect {@link #CONNECT_TIMEOUT}, answer the
 * timeout given to {@link #start(String, Duration)}) and are then answered 504, an unreachable upstream 502, both
 * with a JSON body like Nova's. Counters are exact; the log of single requests ({@link #exchanges()}, used by
 * {@link #peakPerSecond}) keeps the last {@link #LOG_CAPACITY}.
 */
public final class FaultProxy implements AutoCloseable {

    /** The status counted for a request that got no answer (reset or dropped connection). */
    public static final int NO_ANSWER = 0;
    /** The status of a request the proxy has not answered yet (seen in {@link #exchanges()}). */
    public static final int PENDING = -1;

    public static final int MAX_CONNECTIONS = 64;
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_UPSTREAM_TIMEOUT = Duration.ofSeconds(60);
    public static final int LOG_CAPACITY = 100_000;

    private static final int MAX_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 200;
    private static final int MAX_BODY = 32 * 1024 * 1024;
    private static final Set<String> NOT_FORWARDED = Set.of("connection", "keep-alive", "proxy-connection",
            "proxy-authorization", "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade", "host",
            "content-length", "expect", "accept-encoding");

    // ------------------------------------------------------------------------------------------- matching

    /** Which requests a fault applies to: a method (null for any) and a regular expression for the whole path. */
    public record Match(String method, Pattern path) {

        public Match {
            Objects.requireNonNull(path, "path");
        }

        public static Match any() {
            return new Match(null, Pattern.compile(".*"));
        }

        /** {@code method} null or {@code "*"} for any; {@code pathRegex} must match the whole path. */
        public static Match of(String method, String pathRegex) {
            return new Match(method == null || method.equals("*") ? null : method.toUpperCase(Locale.ROOT),
                    Pattern.compile(pathRegex));
        }

        public static Match path(String pathRegex) {
            return of(null, pathRegex);
        }

        public boolean test(String requestMethod, String requestPath) {
            return (method == null || method.equals(requestMethod)) && path.matcher(requestPath).matches();
        }

        @Override
        public String toString() {
            return (method == null ? "*" : method) + " " + path.pattern();
        }
    }

    /** What the proxy does with a request instead of (or on top of) passing it on. */
    public static final class Fault {

        enum Type { PASS, ANSWER, RESET, DROP, DELAY }

        final Type type;
        final int status;
        final String body;
        final Map<String, String> headers;
        final Duration delay;
        private final String description;

        private Fault(Type type, int status, String body, Map<String, String> headers, Duration delay,
                      String description) {
            this.type = type;
            this.status = status;
            this.body = body;
            this.headers = headers;
            this.delay = delay;
            this.description = description;
        }

        /** Forward as if there were no fault (exempts requests from a broader rule injected later). */
        public static Fault passThrough() {
            return new Fault(Type.PASS, 0, null, Map.of(), null, "pass");
        }

        /** Answer {@code status} with Nova's error body for it (500, 503 and so on). */
        public static Fault status(int status) {
            return answer(status, novaError(status, defaultMessage(status)), Map.of());
        }

        /** Answer exactly this, as JSON unless the headers say otherwise. */
        public static Fault answer(int status, String body, Map<String, String> headers) {
            return new Fault(Type.ANSWER, status, body, Map.copyOf(headers), null, String.valueOf(status));
        }

        /** 429 with {@code Retry-After: seconds}, as Nova's rate limiting answers. */
        public static Fault rateLimited(long retryAfterSeconds) {
            String body = "{\"overLimit\": {\"code\": 429, \"message\": \"This request was rate-limited.\", "
                    + "\"retryAfter\": \"" + retryAfterSeconds + "\"}}";
            return new Fault(Type.ANSWER, 429, body, Map.of("Retry-After", String.valueOf(retryAfterSeconds)), null,
                    "429 Retry-After " + retryAfterSeconds);
        }

        /** 403 with Nova's quota sentence, e.g. {@code "Quota exceeded for instances: Requested 1, ..."}. */
        public static Fault quotaExceeded(String message) {
            return new Fault(Type.ANSWER, 403, novaError(403, message), Map.of(), null, "403 quota");
        }

        /** Reads the request, then resets the connection (RST) without an answer. */
        public static Fault reset() {
            return new Fault(Type.RESET, 0, null, Map.of(), null, "reset");
        }

        /** Reads the request, then closes the connection (FIN) without an answer. */
        public static Fault drop() {
            return new Fault(Type.DROP, 0, null, Map.of(), null, "drop");
        }

        /** Forwards the request, then holds the answer back until {@code delay} has passed since it arrived. */
        public static Fault delay(Duration delay) {
            return new Fault(Type.DELAY, 0, null, Map.of(), Objects.requireNonNull(delay, "delay"), "delay " + delay);
        }

        /** Nova's error body: {@code {"computeFault": {"code": 500, "message": "..."}}} with Nova's key. */
        public static String novaError(int status, String message) {
            String key = switch (status) {
                case 400 -> "badRequest";
                case 401 -> "unauthorized";
                case 403 -> "forbidden";
                case 404 -> "itemNotFound";
                case 409 -> "conflictingRequest";
                case 413, 429 -> "overLimit";
                case 501 -> "notImplemented";
                case 503 -> "serviceUnavailable";
                default -> "computeFault";
            };
            return "{\"" + key + "\": {\"code\": " + status + ", \"message\": \"" + jsonEscape(message) + "\"}}";
        }

        private static String defaultMessage(int status) {
            return switch (status) {
                case 500 -> "Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach "
                        + "the Nova API log if possible.";
                case 502 -> "Bad Gateway";
                case 503 -> "Service Unavailable";
                case 504 -> "Gateway Timeout";
                default -> "Injected fault " + status;
            };
        }

        @Override
        public String toString() {
            return description;
        }
    }

    /** A fault for the requests a match selects: for a number of them, or until {@link #clear() cleared}. */
    public final class Rule {
        final Match match;
        final Fault fault;
        private final AtomicInteger remaining; // -1: until cleared
        private final AtomicInteger hits = new AtomicInteger();

        private Rule(Match match, Fault fault, int times) {
            this.match = Objects.requireNonNull(match, "match");
            this.fault = Objects.requireNonNull(fault, "fault");
            this.remaining = new AtomicInteger(times);
        }

        private boolean take(String method, String path) {
            if (!match.test(method, path)) {
                return false;
            }
            while (true) {
                int left = remaining.get();
                if (left == 0) {
                    return false;
                }
                if (left < 0 || remaining.compareAndSet(left, left - 1)) {
                    hits.incrementAndGet();
                    if (left == 1) {
                        rules.remove(this);
                    }
                    return true;
                }
            }
        }

        /** How many requests this rule has decided. */
        public int hits() {
            return hits.get();
        }

        /** True once it has been applied as often as it was injected for, or cleared. */
        public boolean done() {
            return remaining.get() == 0;
        }

        public void clear() {
            remaining.set(0);
            rules.remove(this);
        }

        @Override
        public String toString() {
            int left = remaining.get();
            return match + " -> " + fault + (left < 0 ? " until cleared" : " x" + left);
        }
    }

    /** One request as the proxy saw it: when it arrived, what it asked, what it got (or {@link #PENDING}). */
    public record Exchange(Instant at, String method, String path, String query, int status, String fault) {
    }

    // ------------------------------------------------------------------------------------------- state

    private final ServerSocket server;
    private final String baseUrl;
    private final String target;
    private final Duration upstreamTimeout;
    private final ThreadPoolExecutor connections;
    private final ExecutorService clientExecutor;
    private final HttpClient client;
    private final Thread acceptor;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private final Map<String, String> rewrites = new ConcurrentHashMap<>();

    private final Map<Key, LongAdder> received = new ConcurrentHashMap<>();
    private final Map<Key, LongAdder> answered = new ConcurrentHashMap<>();
    private final Deque<Entry> log = new ArrayDeque<>();
    private final AtomicInteger rejected = new AtomicInteger();
    private final Object idle = new Object();
    private int inFlight; // guarded by idle

    private volatile boolean closed;

    private record Route(String prefix, String target) {
    }

    private record Key(String method, String path, int status) {
    }

    /** A log entry; its status is set once answered. */
    private static final class Entry {
        final Instant at = Instant.now();
        final long nanos = System.nanoTime();
        final String method;
        final String path;
        final String query;
        volatile int status = PENDING;
        volatile String fault = "pass";

        Entry(String method, String path, String query) {
            this.method = method;
            this.path = path;
            this.query = query;
        }

        Exchange snapshot() {
            return new Exchange(at, method, path, query, status, fault);
        }
    }

    /** A proxy for {@code target} (e.g. {@code http://127.0.0.1:8774}) with the default upstream timeout. */
    public static FaultProxy start(String target) throws IOException {
        return start(target, DEFAULT_UPSTREAM_TIMEOUT);
    }

    /** A proxy for {@code target}; an upstream answer that takes longer than {@code upstreamTimeout} becomes 504. */
    public static FaultProxy start(String target, Duration upstreamTimeout) throws IOException {
        return new FaultProxy(target, upstreamTimeout);
    }

    private FaultProxy(String target, Duration upstreamTimeout) throws IOException {
        this.target = trimSlash(URI.create(Objects.requireNonNull(target, "target")).toString());
        this.upstreamTimeout = Objects.requireNonNull(upstreamTimeout, "upstreamTimeout");
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 128);
        int port = server.getLocalPort();
        this.baseUrl = "http://127.0.0.1:" + port;
        this.connections = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 30, TimeUnit.SECONDS,
                new SynchronousQueue<>(), threads("FaultProxy-" + port + "-connection-"));
        this.clientExecutor = Executors.newFixedThreadPool(4, threads("FaultProxy-" + port + "-upstream-"));
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(CONNECT_TIMEOUT)
                .executor(clientExecutor)
                .build();
        routes.add(new Route("", this.target));
        rewrites.put(this.target, baseUrl);
        this.acceptor = threads("FaultProxy-" + port + "-accept-").newThread(this::acceptLoop);
        acceptor.start();
    }

    /** The proxy's own address, e.g. {@code http://127.0.0.1:40123} (no trailing slash). */
    public String baseUrl() {
        return baseUrl;
    }

    /** Where requests without a mounted prefix go. */
    public String target() {
        return target;
    }

    // ------------------------------------------------------------------------------------------- routing

    /**
     * Forwards {@code prefix/...} to {@code target/...} and rewrites {@code target} in answers to
     * {@code baseUrl() + prefix}. The prefix starts with a slash; faults and counters see it in the path.
     */
    public FaultProxy mount(String prefix, String mountTarget) {
        if (!prefix.startsWith("/") || prefix.endsWith("/")) {
            throw new IllegalArgumentException("a prefix starts with / and does not end with it: " + prefix);
        }
        String t = trimSlash(URI.create(mountTarget).toString());
        routes.add(new Route(prefix, t));
        routes.sort(Comparator.comparingInt((Route r) -> r.prefix.length()).reversed());
        return rewrite(t, baseUrl + prefix);
    }

    /** Answers passed on show {@code to} wherever upstream wrote {@code from} (a base URL). */
    public FaultProxy rewrite(String from, String to) {
        rewrites.put(trimSlash(from), trimSlash(to));
        return this;
    }

    /** Answers passed on send clients for {@code other}'s target to {@code other} (e.g. Keystone's catalog). */
    public FaultProxy routeThrough(FaultProxy other) {
        return rewrite(other.target(), other.baseUrl());
    }

    // ------------------------------------------------------------------------------------------- faults

    /** Applies {@code fault} to every request {@code match} selects, until cleared. */
    public Rule inject(Match match, Fault fault) {
        return add(new Rule(match, fault, -1));
    }

    /** Applies {@code fault} to the next {@code times} requests {@code match} selects. */
    public Rule inject(Match match, Fault fault, int times) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1: " + times);
        }
        return add(new Rule(match, fault, times));
    }

    private Rule add(Rule rule) {
        rules.add(rule);
        return rule;
    }

    public void clearFaults() {
        for (Rule r : rules) {
            r.clear();
        }
    }

    /** The rules still active, in the order they are tried. */
    public List<Rule> rules() {
        return List.copyOf(rules);
    }

    private Fault pick(String method, String path, Entry e) {
        for (Rule r : rules) {
            if (r.take(method, path)) {
                e.fault = r.fault.toString();
                return r.fault;
            }
        }
        return Fault.passThrough();
    }

    // ------------------------------------------------------------------------------------------- counters

    /** Requests received (answered or not) whose method and path match. */
    public int count(Match match) {
        return sum(received, match, null);
    }

    /** Requests answered with {@code status} ({@link #NO_ANSWER} for reset or dropped) that match. */
    public int count(Match match, int status) {
        return sum(answered, match, status);
    }

    public int count(String method, String pathRegex) {
        return count(Match.of(method, pathRegex));
    }

    public int count(String method, String pathRegex, int status) {
        return count(Match.of(method, pathRegex), status);
    }

    private static int sum(Map<Key, LongAdder> counters, Match match, Integer status) {
        long n = 0;
        for (Map.Entry<Key, LongAdder> c : counters.entrySet()) {
            Key k = c.getKey();
            if ((status == null || k.status == status) && match.test(k.method, k.path)) {
                n += c.getValue().sum();
            }
        }
        return (int) n;
    }

    /** Answered requests by {@code "METHOD path status"}, sorted, e.g. {@code "GET /v2.1/limits 503" -> 1}. */
    public Map<String, Integer> counts() {
        Map<String, Integer> out = new TreeMap<>();
        answered.forEach((k, v) -> out.put(k.method + " " + k.path + " " + k.status, (int) v.sum()));
        return out;
    }

    /** The most matching requests that arrived within any one second (a sliding window over the log). */
    public int peakPerSecond(Match match) {
        List<Long> times = new ArrayList<>();
        synchronized (log) {
            for (Entry e : log) {
                if (match.test(e.method, e.path)) {
                    times.add(e.nanos);
                }
            }
        }
        int peak = 0;
        int from = 0;
        for (int to = 0; to < times.size(); to++) {
            while (times.get(to) - times.get(from) >= TimeUnit.SECONDS.toNanos(1)) {
                from++;
            }
            peak = Math.max(peak, to - from + 1);
        }
        return peak;
    }

    /** The last {@link #LOG_CAPACITY} requests, oldest first. */
    public List<Exchange> exchanges() {
        synchronized (log) {
            return log.stream().map(Entry::snapshot).toList();
        }
    }

    /** Connections closed unanswered because {@link #MAX_CONNECTIONS} were busy. */
    public int rejectedConnections() {
        return rejected.get();
    }

    public void clearCounts() {
        received.clear();
        answered.clear();
        synchronized (log) {
            log.clear();
        }
    }

    /**
     * Waits until every request received has been counted with its status (a delayed answer, say); false if that
     * took longer than the timeout.
     */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (inFlight > 0) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(idle, left);
            }
            return true;
        }
    }

    private Entry arrive(String method, String path, String query) {
        Entry e = new Entry(method, path, query);
        received.computeIfAbsent(new Key(method, path, 0), k -> new LongAdder()).increment();
        synchronized (log) {
            if (log.size() >= LOG_CAPACITY) {
                log.removeFirst();
            }
            log.addLast(e);
        }
        synchronized (idle) {
            inFlight++;
        }
        return e;
    }

    /** Counts the request's status, once. */
    private void done(Entry e, int status) {
        if (e.status != PENDING) {
            return;
        }
        e.status = status;
        answered.computeIfAbsent(new Key(e.method, e.path, status), k -> new LongAdder()).increment();
        synchronized (idle) {
            inFlight--;
            idle.notifyAll();
        }
    }

    // ------------------------------------------------------------------------------------------- serving

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            open.add(s);
            try {
                connections.execute(() -> serve(s));
            } catch (RejectedExecutionException busy) {
                rejected.incrementAndGet();
                closeQuietly(s);
            }
        }
    }

    private void serve(Socket s) {
        try (s) {
            s.setSoTimeout((int) IDLE_TIMEOUT.toMillis());
            s.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            boolean keepAlive = true;
            while (keepAlive && !closed) {
                Request r = Request.read(in, out);
                if (r == null) {
                    return;
                }
                keepAlive = handle(r, s, out);
            }
        } catch (IOException | RuntimeException gone) {
            // the client went away, sent something that is not HTTP, or stayed idle: nothing to answer
        } catch (InterruptedException stopping) {
            Thread.currentThread().interrupt();
        } finally {
            open.remove(s);
        }
    }

    /**
     * Answers one request; false when the connection must not be used again. The status is counted before the
     * answer (or the reset) leaves, so a client that has its answer can already see it counted.
     */
    private boolean handle(Request r, Socket s, OutputStream out) throws IOException, InterruptedException {
        Entry e = arrive(r.method, r.path, r.query);
        try {
            String token = header(r, "X-Auth-Token");
            if (token != null) {
                tokensSeen.add(token);
            }
            Fault f = token != null && expiredTokens.contains(token) ? EXPIRED_TOKEN : pick(r.method, r.path, e);
            switch (f.type) {
                case RESET -> {
                    done(e, NO_ANSWER);
                    s.setSoLinger(true, 0);
                    s.close();
                    return false;
                }
                case DROP -> {
                    done(e, NO_ANSWER);
                    s.close();
                    return false;
                }
                case ANSWER -> {
                    Map<String, List<String>> headers = new LinkedHashMap<>();
                    f.headers.forEach((k, v) -> headers.put(k, List.of(v)));
                    headers.putIfAbsent("Content-Type", List.of("application/json"));
                    done(e, f.status);
                    return write(out, r, f.status, headers, f.body.getBytes(StandardCharsets.UTF_8));
                }
                case DELAY -> {
                    Upstream u = forward(r);
                    long left = f.delay.toNanos() - (System.nanoTime() - e.nanos);
                    if (left > 0) {
                        TimeUnit.NANOSECONDS.sleep(left);
                    }
                    done(e, u.status);
                    return write(out, r, u.status, u.headers, u.body);
                }
                default -> {
                    Upstream u = forward(r);
                    done(e, u.status);
                    return write(out, r, u.status, u.headers, u.body);
                }
            }
        } finally {
            done(e, NO_ANSWER); // interrupted by close(), or the request could not be forwarded
        }
    }

    private static final Fault EXPIRED_TOKEN = Fault.answer(401,
            "{\"error\": {\"code\": 401, \"title\": \"Unauthorized\", \"message\": \"The request you have made "
                    + "requires authentication.\"}}", Map.of("WWW-Authenticate", "Keystone uri=\"http://127.0.0.1\""));
    private final Set<String> tokensSeen = ConcurrentHashMap.newKeySet();
    private final Set<String> expiredTokens = ConcurrentHashMap.newKeySet();

    /**
     * Every token the proxy has seen so far is refused with 401 from now on, as a service does once Keystone's
     * token has expired (or was revoked); tokens obtained afterwards pass. Returns how many were expired.
     */
    public int expireTokens() {
        expiredTokens.addAll(tokensSeen);
        return expiredTokens.size();
    }

    private static String header(Request r, String name) {
        for (Map.Entry<String, List<String>> h : r.headers.entrySet()) {
            if (h.getKey().equalsIgnoreCase(name) && !h.getValue().isEmpty()) {
                return h.getValue().get(0);
            }
        }
        return null;
    }

    private record Upstream(int status, Map<String, List<String>> headers, byte[] body) {
    }

    private Upstream forward(Request r) throws InterruptedException {
        Route route = routes.stream().filter(x -> under(r.path, x.prefix)).findFirst().orElseThrow();
        String uri = route.target + r.path.substring(route.prefix.length()) + (r.query == null ? "" : "?" + r.query);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(uri)).timeout(upstreamTimeout)
                .method(r.method, r.body.length == 0 && !r.hasBody
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(r.body));
        r.headers.forEach((name, values) -> {
            if (!NOT_FORWARDED.contains(name.toLowerCase(Locale.ROOT))) {
                for (String v : values) {
                    try {
                        b.header(name, v);
                    } catch (IllegalArgumentException restricted) {
                        // a header java.net.http sets itself (Date, Via ...): left to it
                    }
                }
            }
        });
        HttpResponse<byte[]> resp;
        try {
            resp = client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException slow) {
            return gatewayError(504, "The proxy got no answer from " + route.target + " within " + upstreamTimeout);
        } catch (IOException unreachable) {
            return gatewayError(502, "The proxy cannot reach " + route.target + ": " + unreachable);
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        resp.headers().map().forEach((name, values) -> {
            String n = name.toLowerCase(Locale.ROOT);
            if (!NOT_FORWARDED.contains(n) && !n.startsWith(":")) {
                headers.put(name, n.equals("location") ? values.stream().map(this::rewrite).toList() : values);
            }
        });
        byte[] body = resp.body();
        String type = resp.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (body.length > 0 && (type.contains("json") || type.startsWith("text/"))) {
            body = rewrite(new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        }
        if (r.method.equals("HEAD")) {
            resp.headers().firstValue("Content-Length").ifPresent(l -> headers.put("Content-Length", List.of(l)));
        }
        return new Upstream(resp.statusCode(), headers, body);
    }

    private static Upstream gatewayError(int status, String message) {
        return new Upstream(status, Map.of("Content-Type", List.of("application/json")),
                Fault.novaError(status, message).getBytes(StandardCharsets.UTF_8));
    }

    private static boolean under(String path, String prefix) {
        return prefix.isEmpty() || path.equals(prefix) || path.startsWith(prefix + "/");
    }

    /** Every rewrite source, longest first, where it ends (not followed by more of a host, port or path segment). */
    String rewrite(String text) {
        Map<String, String> map = Map.copyOf(rewrites);
        List<String> from = new ArrayList<>(map.keySet());
        from.sort(Comparator.comparingInt(String::length).reversed());
        StringBuilder alternatives = new StringBuilder();
        for (String f : from) {
            alternatives.append(alternatives.length() == 0 ? "" : "|").append(Pattern.quote(f));
        }
        Matcher m = Pattern.compile("(?:" + alternatives + ")(?![A-Za-z0-9_.:~-])").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(map.get(m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    private boolean write(OutputStream out, Request r, int status, Map<String, List<String>> headers, byte[] body)
            throws IOException {
        boolean noBody = r.method.equals("HEAD") || status == 204 || status == 304 || status < 200;
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status))
                .append("\r\n");
        headers.forEach((name, values) -> {
            if (!name.equalsIgnoreCase("Content-Length") || r.method.equals("HEAD")) {
                values.forEach(v -> head.append(name).append(": ").append(v).append("\r\n"));
            }
        });
        if (!noBody) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: ").append(r.keepAlive ? "keep-alive" : "close").append("\r\n\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (!noBody) {
            out.write(body);
        }
        out.flush();
        return r.keepAlive;
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 201 -> "Created";
            case 202 -> "Accepted";
            case 204 -> "No Content";
            case 300 -> "Multiple Choices";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 413 -> "Request Entity Too Large";
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            default -> "Status " + status;
        };
    }

    // ------------------------------------------------------------------------------------------- requests

    /** One HTTP/1.1 request read off a connection. */
    private static final class Request {
        final String method;
        final String path;
        final String query;
        final Map<String, List<String>> headers;
        final byte[] body;
        final boolean hasBody;
        final boolean keepAlive;

        private Request(String method, String path, String query, Map<String, List<String>> headers, byte[] body,
                        boolean hasBody, boolean keepAlive) {
            this.method = method;
            this.path = path;
            this.query = query;
            this.headers = headers;
            this.body = body;
            this.hasBody = hasBody;
            this.keepAlive = keepAlive;
        }

        /** The next request, or null when the client closed the connection between requests. */
        static Request read(InputStream in, OutputStream out) throws IOException {
            String line = readLine(in);
            while (line != null && line.isEmpty()) {
                line = readLine(in); // tolerated before a request line (RFC 9112 2.2)
            }
            if (line == null) {
                return null;
            }
            String[] parts = line.split(" ");
            if (parts.length != 3 || !parts[1].startsWith("/")) {
                throw new IOException("not an origin-form HTTP request: " + line);
            }
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 0; ; i++) {
                String h = readLine(in);
                if (h == null) {
                    throw new IOException("connection closed in the headers");
                }
                if (h.isEmpty()) {
                    break;
                }
                int colon = h.indexOf(':');
                if (colon <= 0 || i >= MAX_HEADERS) {
                    throw new IOException("bad header line");
                }
                headers.computeIfAbsent(h.substring(0, colon).trim(), k -> new ArrayList<>())
                        .add(h.substring(colon + 1).trim());
            }
            String connection = header(headers, "Connection").toLowerCase(Locale.ROOT);
            boolean keepAlive = parts[2].equals("HTTP/1.1") ? !connection.contains("close")
                    : connection.contains("keep-alive");
            if (header(headers, "Expect").equalsIgnoreCase("100-continue")) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            byte[] body;
            boolean hasBody;
            if (header(headers, "Transfer-Encoding").toLowerCase(Locale.ROOT).contains("chunked")) {
                body = readChunked(in);
                hasBody = true;
            } else if (!header(headers, "Content-Length").isEmpty()) {
                long n = Long.parseLong(header(headers, "Content-Length"));
                if (n < 0 || n > MAX_BODY) {
                    throw new IOException("body too large: " + n);
                }
                body = in.readNBytes((int) n);
                if (body.length != n) {
                    throw new IOException("connection closed in the body");
                }
                hasBody = true;
            } else {
                body = new byte[0];
                hasBody = false;
            }
            int q = parts[1].indexOf('?');
            String path = q < 0 ? parts[1] : parts[1].substring(0, q);
            String query = q < 0 ? null : parts[1].substring(q + 1);
            return new Request(parts[0].toUpperCase(Locale.ROOT), path, query, headers, body, hasBody, keepAlive);
        }

        private static String header(Map<String, List<String>> headers, String name) {
            for (Map.Entry<String, List<String>> h : headers.entrySet()) {
                if (h.getKey().equalsIgnoreCase(name)) {
                    return String.join(",", h.getValue());
                }
            }
            return "";
        }

        private static byte[] readChunked(InputStream in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            while (true) {
                String size = readLine(in);
                if (size == null) {
                    throw new IOException("connection closed in a chunk");
                }
                int semi = size.indexOf(';');
                int n = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    String trailer;
                    do {
                        trailer = readLine(in);
                    } while (trailer != null && !trailer.isEmpty());
                    return body.toByteArray();
                }
                if (body.size() + n > MAX_BODY) {
                    throw new IOException("body too large");
                }
                byte[] chunk = in.readNBytes(n);
                if (chunk.length != n) {
                    throw new IOException("connection closed in a chunk");
                }
                body.write(chunk);
                readLine(in);
            }
        }

        /** A line without its CRLF, or null at the end of the stream before any byte. */
        private static String readLine(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    byte[] b = line.toByteArray();
                    int len = b.length > 0 && b[b.length - 1] == '\r' ? b.length - 1 : b.length;
                    return new String(b, 0, len, StandardCharsets.ISO_8859_1);
                }
                if (line.size() >= MAX_LINE) {
                    throw new IOException("line too long");
                }
                line.write(c);
            }
            if (line.size() == 0) {
                return null;
            }
            throw new IOException("connection closed in a line");
        }
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    /** Stops accepting, cuts every open connection (a delayed answer is never sent) and stops its threads. */
    @Override
    public void close() {
        closed = true;
        closeQuietly(server);
        for (Socket s : open) {
            closeQuietly(s);
        }
        connections.shutdownNow();
        try {
            if (!connections.awaitTermination(5, TimeUnit.SECONDS)) {
                throw new IllegalStateException("FaultProxy " + baseUrl + ": connection threads did not stop");
            }
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clientExecutor.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "FaultProxy[" + baseUrl + " -> " + target + ", rules=" + rules + "]";
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    private static String trimSlash(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u;
    }

    private static String jsonEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
