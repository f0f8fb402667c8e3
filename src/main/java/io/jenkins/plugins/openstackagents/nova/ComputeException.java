package io.jenkins.plugins.openstackagents.nova;

import java.time.Duration;
import java.util.Optional;

/**
 * A failed call to the cloud, translated into what the caller can do about it. The message is one sentence an
 * administrator can act on; it never contains a secret.
 */
public class ComputeException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What a caller may do next. */
    public enum Kind {
        /** The project's quota cannot hold the request: wait until it can, do not retry now. */
        QUOTA_EXCEEDED,
        /** Nova asked us to slow down (429): retry after {@link #getRetryAfter()} or a backoff. */
        RATE_LIMITED,
        /** A fault that may pass (5xx, timeout, connection reset, unreachable): retry with backoff. */
        TRANSIENT,
        /** The thing asked about does not exist (404). */
        NOT_FOUND,
        /**
         * The cloud refuses this request as it is (400: an image, network or key pair it does not have): the same
         * request cannot succeed until what it asks for changes. {@link #getReason()} is the cloud's own sentence.
         */
        BAD_REQUEST,
        /** Retrying the same request cannot succeed (bad request, bad credentials, forbidden, bad config). */
        PERMANENT
    }

    private final Kind kind;
    private final Duration retryAfter;
    private final String reason;

    public ComputeException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    public ComputeException(Kind kind, String message, Throwable cause) {
        this(kind, message, null, cause);
    }

    public ComputeException(Kind kind, String message, Duration retryAfter, Throwable cause) {
        this(kind, message, message, retryAfter, cause);
    }

    /** {@code reason}: the cloud's own sentence, without what the plugin asked (no server name). */
    public ComputeException(Kind kind, String message, String reason, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    /** What the cloud said, the same for every request it refuses alike; the message if it said nothing of its own. */
    public String getReason() {
        return reason;
    }

    public Kind getKind() {
        return kind;
    }

    /** How long Nova asked us to wait (429 Retry-After), if it said. */
    public Optional<Duration> getRetryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    public boolean is(Kind k) {
        return kind == k;
    }

    /**
     * Whether Nova refused for quota: 403 or 413 with its sentence naming the quota ("Quota exceeded for instances:
     * ..."), at once or as the fault of a server gone to ERROR; or 403 because Neutron's port quota has no room for
     * the server's ports ("Maximum number of ports exceeded", Nova's {@code PortLimitExceeded}). The one place this
     * rule is written.
     */
    public static boolean isQuotaRefusal(int status, String message) {
        if ((status != 403 && status != 413) || message == null) {
            return false;
        }
        String m = message.toLowerCase(java.util.Locale.ROOT);
        return m.contains("quota") || m.contains("maximum number of ports exceeded");
    }
}
