package io.jenkins.plugins.openstackagents.nova;

import io.jenkins.plugins.openstackagents.nova.ComputeException.Kind;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.openstack4j.api.exceptions.ResponseException;
import org.openstack4j.core.transport.ExecutionOptions;
import org.openstack4j.core.transport.HttpResponse;
import org.openstack4j.core.transport.PropagateResponse;
import org.openstack4j.core.transport.functions.ParseActionResponseFromJsonMap;
import org.openstack4j.model.common.ActionResponse;
import org.openstack4j.openstack.internal.Parser;

/**
 * Turns every failure openstack4j reports into a {@link ComputeException}: the one place that looks at HTTP
 * status codes, exception types and OpenStack's error texts.
 *
 * <p>openstack4j reports an error answer in several ways depending on the call (an exception carrying the status
 * and the message but no headers, {@code null} for a 404, an empty list, an {@link ActionResponse}). The calls of
 * {@link Openstack4jCompute} all pass {@link #raiseErrors()}, which makes any answer of 400 or more raise an
 * {@link ErrorAnswer} with its status, OpenStack's message and the {@code Retry-After} header; {@link #translate}
 * also understands openstack4j's own exceptions and the I/O failures they wrap.
 */
final class ErrorTranslator {

    private ErrorTranslator() {
    }

    /** An error answer (status of 400 or more) as the server gave it. */
    static final class ErrorAnswer extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final int status;
        /** Neutron's error type ("OverQuota"), or null when the answer names none. */
        final String type;
        final transient Duration retryAfter;

        ErrorAnswer(int status, String message, String type, Duration retryAfter) {
            super(message, null, false, false);
            this.status = status;
            this.type = type;
            this.retryAfter = retryAfter;
        }

        /** Reads the body as openstack4j's {@code ResponseToActionResponse} does, keeping Neutron's error type. */
        @SuppressWarnings("unchecked")
        static ErrorAnswer of(HttpResponse response) {
            String message = null;
            String type = null;
            try {
                Map<String, Object> body = Parser.isContentTypeText(response.getContentType()) ? null
                        : response.readEntity(Map.class);
                if (body != null) {
                    ActionResponse parsed = new ParseActionResponseFromJsonMap(response).apply(body);
                    message = parsed == null ? null : parsed.getFault();
                    type = neutronErrorType(body);
                }
            } catch (RuntimeException unreadable) {
                // an error page that is not OpenStack's JSON: the status line has to do
            }
            if (message == null || message.isBlank()) {
                message = response.getStatusMessage();
            }
            return new ErrorAnswer(response.getStatus(), message, type,
                    retryAfter(response.header("Retry-After")));
        }

        /** {@code {"NeutronError": {"type": "OverQuota", "message": ..., "detail": ...}}}: the type. */
        private static String neutronErrorType(Map<String, Object> body) {
            return body.get("NeutronError") instanceof Map<?, ?> error && error.get("type") instanceof String t
                    ? t : null;
        }
    }

    /** Options for an openstack4j request: any answer of 400 or more raises an {@link ErrorAnswer}. */
    static <R> ExecutionOptions<R> raiseErrors() {
        return ExecutionOptions.create(RAISE);
    }

    private static final PropagateResponse RAISE = response -> {
        throw ErrorAnswer.of(response);
    };

    /** The HTTP status a failure carries, or 0 when the server gave no answer. */
    static int status(Throwable e) {
        if (e instanceof ErrorAnswer a) {
            return a.status;
        }
        if (e instanceof ResponseException r) {
            return r.getStatus();
        }
        return 0;
    }

    /**
     * A failed call to a service.
     *
     * @param service the service's name as an administrator knows it ("Nova")
     * @param action what was asked, completing "failed to ..." ("create server agent-1")
     * @param url the service's endpoint
     */
    static ComputeException translate(RuntimeException e, String service, String action, String url) {
        ComputeException io = ioFailure(e, url);
        if (io != null) {
            return io;
        }
        int status = status(e);
        if (status >= 400) {
            Duration retryAfter = e instanceof ErrorAnswer a ? a.retryAfter : null;
            String type = e instanceof ErrorAnswer a ? a.type : null;
            return answered(status, e.getMessage(), type, retryAfter, service, action, e);
        }
        if (e instanceof ResponseException) {
            return new ComputeException(Kind.TRANSIENT, "Cannot reach " + url + ": " + reason(e) + ".", e);
        }
        return new ComputeException(Kind.PERMANENT,
                "Unexpected failure to " + action + " at " + url + ": " + e + ".", e);
    }

    /** A failed token request to Keystone. */
    static ComputeException authFailure(RuntimeException e, String authUrl,
                                        ConnectionSettings.Credentials credentials) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (isJson(c)) {
                return notKeystone(authUrl, "an answer that is not a token (" + jsonProblem(c) + ")", e);
            }
        }
        ComputeException io = ioFailure(e, authUrl);
        if (io != null) {
            return io;
        }
        int status = status(e);
        if (status == 401) {
            String who;
            if (credentials instanceof ConnectionSettings.Password p) {
                who = "the user name or password of user '" + p.user() + "' (domain '" + p.domain()
                        + "'); check them and the domain";
            } else {
                ConnectionSettings.ApplicationCredential a = (ConnectionSettings.ApplicationCredential) credentials;
                who = "the application credential " + a.id() + "; check its id and secret, and that it has not "
                        + "expired or been deleted";
            }
            return new ComputeException(Kind.PERMANENT,
                    "Keystone at " + authUrl + " rejected the credentials (401): " + who + ".", e);
        }
        if (status >= 400 && status < 500 && status != 429) {
            return new ComputeException(Kind.PERMANENT,
                    "Keystone at " + authUrl + " refused a token (" + status + "): " + text(e.getMessage()) + ".", e);
        }
        return translate(e, "Keystone", "issue a token", authUrl);
    }

    /** Something that is not Keystone v3 answered the token request. */
    static ComputeException notKeystone(String authUrl, String what, Throwable cause) {
        return new ComputeException(Kind.PERMANENT, "The token request to " + authUrl + " got " + what
                + "; is this the Keystone v3 URL?", cause);
    }

    /**
     * The kind and sentence for an error answer.
     *
     * @param type Neutron's error type, or null
     */
    static ComputeException answered(int status, String message, String type, Duration retryAfter, String service,
                                     String action, Throwable cause) {
        String said = text(message);
        if (ComputeException.isQuotaRefusal(status, said) || isNeutronQuotaRefusal(status, type)) {
            // the cloud's own sentence says which quota: "Quota exceeded for instances: ...", "... ['floatingip']."
            return new ComputeException(Kind.QUOTA_EXCEEDED, message.strip(), retryAfter, cause);
        }
        String sentence = service + " answered " + status + " to " + action + ": " + said + ".";
        if (status == 429) {
            return new ComputeException(Kind.RATE_LIMITED, sentence, retryAfter, cause);
        }
        if (status == 404) {
            return new ComputeException(Kind.NOT_FOUND, sentence, null, cause);
        }
        if (status >= 500) {
            return new ComputeException(Kind.TRANSIENT, sentence, retryAfter, cause);
        }
        if (status == 400) {
            return new ComputeException(Kind.BAD_REQUEST, sentence, service + " answered 400: " + said + ".", null,
                    cause);
        }
        return new ComputeException(Kind.PERMANENT, sentence, null, cause);
    }

    /** Neutron refuses a creation over quota with 409 and the error type {@code OverQuota}. */
    private static boolean isNeutronQuotaRefusal(int status, String type) {
        return status == 409 && "OverQuota".equals(type);
    }

    /** Failures where no answer came back: unreachable, timed out, TLS refused; null for anything else. */
    private static ComputeException ioFailure(Throwable e, String url) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SSLException || c instanceof GeneralSecurityException) {
                return new ComputeException(Kind.PERMANENT, "The TLS connection to " + url + " failed ("
                        + text(rootMessage(c)) + "): if its certificate is signed by a private CA, add that CA to "
                        + "the Java trust store of Jenkins, or for a test cloud untick \"Verify TLS certificates\".",
                        e);
            }
            if (isJson(c)) {
                return new ComputeException(Kind.TRANSIENT,
                        "The answer of " + url + " could not be read: " + jsonProblem(c) + ".", e);
            }
            if (c instanceof InterruptedIOException && !(c instanceof SocketTimeoutException)) {
                Thread.currentThread().interrupt();
                return new ComputeException(Kind.TRANSIENT, "The call to " + url + " was interrupted.", e);
            }
            if (c instanceof IOException) {
                return new ComputeException(Kind.TRANSIENT, "Cannot reach " + url + ": " + reason(c) + ".", e);
            }
        }
        return null;
    }

    private static String reason(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException) {
                return "unknown host " + c.getMessage();
            }
            if (c instanceof SocketTimeoutException) {
                String m = String.valueOf(c.getMessage()).toLowerCase(Locale.ROOT);
                return m.contains("connect") ? "connection timed out" : "no answer within the read timeout";
            }
            if (c instanceof NoRouteToHostException) {
                return "no route to host";
            }
            if (c instanceof ConnectException && c.getCause() == null) {
                return "connection refused";
            }
            if (c instanceof java.io.EOFException) {
                return "the connection was closed without an answer";
            }
        }
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SocketException) {
                return text(c.getMessage());
            }
        }
        return text(rootMessage(e));
    }

    private static boolean isJson(Throwable c) {
        return c.getClass().getName().startsWith("com.fasterxml.jackson.");
    }

    /** Jackson's complaint without the quoted document it appends (long, and it may hold anything). */
    private static String jsonProblem(Throwable c) {
        String m = String.valueOf(c.getMessage());
        int source = m.indexOf(" at [Source:");
        String line = text(source >= 0 ? m.substring(0, source) : m);
        return line.length() > 200 ? line.substring(0, 200) + "..." : line;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
    }

    /** One line of server text, trimmed, without a trailing full stop (the sentence adds its own). */
    private static String text(String s) {
        if (s == null || s.isBlank()) {
            return "no reason given";
        }
        String line = s.strip().replaceAll("\\s+", " ");
        return line.endsWith(".") ? line.substring(0, line.length() - 1) : line;
    }

    /** {@code Retry-After} in seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.trim();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(h)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(h, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                Duration d = Duration.between(Instant.now(), at);
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
