package io.jenkins.plugins.openstackagents.nova;

import java.time.Instant;
import java.util.Map;

/**
 * A server as Nova last described it.
 *
 * @param fault Nova's fault record for a server in ERROR, or null
 * @param address the first IP address Nova reports, or null
 * @param flavorId the flavor's id, or null when Nova did not say
 */
public record Server(
        String id,
        String name,
        Status status,
        Map<String, String> metadata,
        Fault fault,
        Instant created,
        String address,
        String flavorId) {

    public Server {
        metadata = Map.copyOf(metadata);
    }

    /** The lifecycle states the plugin tells apart; every other Nova status is {@link #OTHER}. */
    public enum Status {
        BUILD, ACTIVE, ERROR, DELETED, SHUTOFF, OTHER;

        public static Status of(String novaStatus) {
            if (novaStatus == null) {
                return OTHER;
            }
            switch (novaStatus.toUpperCase(java.util.Locale.ROOT)) {
                case "BUILD": case "BUILDING": return BUILD;
                case "ACTIVE": return ACTIVE;
                case "ERROR": return ERROR;
                case "DELETED": case "SOFT_DELETED": return DELETED;
                case "SHUTOFF": case "STOPPED": return SHUTOFF;
                default: return OTHER;
            }
        }
    }

    /** Nova's fault of a server in ERROR: 413 "Quota exceeded ..." is Nova's late over-quota answer. */
    public record Fault(int code, String message) {
        public boolean isQuotaExceeded() {
            return ComputeException.isQuotaRefusal(code, message);
        }
    }

    public Server withStatus(Status s, Fault f) {
        return new Server(id, name, s, metadata, f, created, address, flavorId);
    }
}
