package io.jenkins.plugins.openstackagents.nova;

import static io.jenkins.plugins.openstackagents.nova.ErrorTranslator.raiseErrors;

import com.fasterxml.jackson.databind.JsonNode;
import io.jenkins.plugins.openstackagents.nova.ComputeException.Kind;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings.ApplicationCredential;
import io.jenkins.plugins.openstackagents.nova.ConnectionSettings.Password;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.openstack4j.api.Builders;
import org.openstack4j.api.OSClient.OSClientV3;
import org.openstack4j.api.types.Facing;
import org.openstack4j.core.transport.ClientConstants;
import org.openstack4j.core.transport.Config;
import org.openstack4j.core.transport.HttpEntityHandler;
import org.openstack4j.core.transport.HttpMethod;
import org.openstack4j.core.transport.HttpRequest;
import org.openstack4j.core.transport.HttpResponse;
import org.openstack4j.core.transport.ObjectMapperSingleton;
import org.openstack4j.core.transport.internal.HttpExecutor;
import org.openstack4j.model.compute.AbsoluteLimit;
import org.openstack4j.model.compute.Address;
import org.openstack4j.model.compute.Addresses;
import org.openstack4j.model.compute.builder.ServerCreateBuilder;
import org.openstack4j.model.identity.v3.Endpoint;
import org.openstack4j.model.identity.v3.Token;
import org.openstack4j.model.network.IP;
import org.openstack4j.openstack.OSFactory;
import org.openstack4j.openstack.compute.domain.NovaFlavor;
import org.openstack4j.openstack.compute.domain.NovaLimits;
import org.openstack4j.openstack.compute.domain.NovaServer;
import org.openstack4j.openstack.compute.functions.WrapServerIfApplicableFunction;
import org.openstack4j.openstack.compute.internal.BaseComputeServices;
import org.openstack4j.openstack.identity.v3.domain.KeystoneToken;
import org.openstack4j.openstack.image.v2.domain.GlanceImage;
import org.openstack4j.openstack.image.v2.internal.BaseImageServices;
import org.openstack4j.openstack.networking.domain.NeutronFloatingIP;
import org.openstack4j.openstack.networking.domain.NeutronNetwork;
import org.openstack4j.openstack.networking.domain.NeutronPort;
import org.openstack4j.openstack.networking.domain.NeutronSecurityGroup;
import org.openstack4j.openstack.networking.internal.BaseNetworkingServices;

/**
 * The {@link Compute} of one cloud, spoken through openstack4j (Keystone v3, Nova 2.1, Glance v2, Neutron v2.0).
 *
 * <p>Threads: openstack4j keeps its session in a thread-local. This class asks Keystone for a token once, keeps
 * it, and before each call binds a session built from that token to the calling thread
 * ({@link OSFactory#clientFromToken}). It asks for a new token shortly before the old one expires, and once more
 * when a service answers 401 (the call is then repeated once).
 *
 * <p>Requests: every call goes through openstack4j's own request machinery with
 * {@link ErrorTranslator#raiseErrors()}, so that an error answer always arrives as one exception with its status,
 * OpenStack's message and {@code Retry-After}, instead of openstack4j's mix of exceptions without headers,
 * {@code null}s for 404 and empty lists.
 */
public final class Openstack4jCompute implements Compute {

    private static final Logger LOGGER = Logger.getLogger(Openstack4jCompute.class.getName());

    /** Ask for a new token this long before Keystone says the current one expires (at most half its life). */
    static final Duration RENEW_BEFORE_EXPIRY = Duration.ofMinutes(5);

    /**
     * Servers and images asked for per request; listing goes on page after page until one comes back shorter
     * (or repeats itself).
     */
    static final int PAGE_SIZE = 200;

    /**
     * openstack4j answers a 401 by re-authenticating from credentials kept in the token. A token obtained here
     * carries none, so openstack4j's attempt would fail with an unrelated error. This header of its own, which it
     * sets on its token requests, tells it to leave the 401 to us.
     */
    private static final Map<String, String> NO_OPENSTACK4J_REAUTH =
            Map.of(ClientConstants.HEADER_OS4J_AUTH, "Tokens");

    /** The services called, with the name an administrator knows them by and their catalog type. */
    private enum Service {
        NOVA("Nova", "compute"), GLANCE("Glance", "image"), NEUTRON("Neutron", "network");

        final String title;
        final String type;

        Service(String title, String type) {
            this.title = title;
            this.type = type;
        }
    }

    private final ConnectionSettings settings;
    private final String authUrl;
    private final String region;
    private final Config config;
    private final NovaCalls nova = new NovaCalls();
    private final GlanceCalls glance = new GlanceCalls();
    private final NeutronCalls neutron = new NeutronCalls();

    private final Object tokenLock = new Object();
    private volatile Token token;

    public Openstack4jCompute(ConnectionSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.authUrl = keystoneV3(settings.authUrl());
        this.region = settings.region() == null || settings.region().isBlank() ? null : settings.region().strip();
        this.config = config(settings);
    }

    // ------------------------------------------------------------------------------------------------ Compute

    @Override
    public Server create(ServerRequest request) throws ComputeException {
        ServerCreateBuilder b = Builders.server()
                .name(request.name())
                .flavor(request.flavorId())
                .image(request.imageId())
                .keypairName(request.keyName())
                .availabilityZone(request.availabilityZone());
        if (!request.networkIds().isEmpty()) {
            b.networks(request.networkIds());
        }
        request.securityGroups().forEach(b::addSecurityGroup);
        if (request.userData() != null) {
            b.userData(Base64.getEncoder().encodeToString(request.userData().getBytes(StandardCharsets.UTF_8)));
        }
        if (!request.metadata().isEmpty()) {
            b.addMetadata(new LinkedHashMap<>(request.metadata()));
        }
        LOGGER.fine(() -> "Nova: creating " + request);
        NovaServer created = call(Service.NOVA, "create server " + request.name(), () -> nova.boot(b));
        if (created == null || created.getId() == null) {
            throw new ComputeException(Kind.TRANSIENT,
                    "Nova accepted server " + request.name() + " but did not say its id.");
        }
        Server server = toServer(created, request.name(), request.metadata(), Server.Status.BUILD, request.flavorId());
        LOGGER.fine(() -> "Nova: accepted " + request.name() + " as " + server.id());
        return server;
    }

    @Override
    public Optional<Server> find(String serverId) throws ComputeException {
        try {
            NovaServer s = call(Service.NOVA, "read server " + serverId, () -> nova.server(serverId));
            return s == null ? Optional.empty() : Optional.of(toServer(s, null, Map.of(), Server.Status.OTHER, null));
        } catch (ComputeException e) {
            if (e.is(Kind.NOT_FOUND)) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public List<Server> list(Map<String, String> metadata) throws ComputeException {
        List<NovaServer> all = call(Service.NOVA, "list servers",
                () -> allPages(nova::serverPage, NovaServer::getId));
        List<Server> ours = all.stream()
                .filter(s -> s.getMetadata() != null && s.getMetadata().entrySet().containsAll(metadata.entrySet()))
                .map(s -> toServer(s, null, Map.of(), Server.Status.OTHER, null))
                .collect(Collectors.toList());
        LOGGER.fine(() -> "Nova: " + ours.size() + " of " + all.size() + " servers have metadata " + metadata);
        return ours;
    }

    @Override
    public boolean delete(String serverId) throws ComputeException {
        return deleteUnlessGone(Service.NOVA, "server " + serverId, () -> nova.delete(serverId));
    }

    @Override
    public Limits limits() throws ComputeException {
        NovaLimits limits = call(Service.NOVA, "read the project's limits", nova::limits);
        AbsoluteLimit a = limits == null ? null : limits.getAbsolute();
        if (a == null) {
            throw new ComputeException(Kind.TRANSIENT, "Nova answered the limits request without absolute limits.");
        }
        return new Limits(a.getMaxTotalInstances(), a.getTotalInstancesUsed(), a.getMaxTotalCores(),
                a.getTotalCoresUsed(), a.getMaxTotalRAMSize(), a.getTotalRAMUsed());
    }

    @Override
    public List<Flavor> flavors() throws ComputeException {
        return call(Service.NOVA, "list flavors", nova::flavors).stream()
                .map(f -> new Flavor(f.getId(), f.getName(), f.getVcpus(), f.getRam(), f.getDisk()))
                .sorted(Comparator.comparing(Flavor::name, Comparator.nullsLast(Comparator.naturalOrder())))
                .collect(Collectors.toList());
    }

    @Override
    public List<Image> images() throws ComputeException {
        return call(Service.GLANCE, "list images", () -> allPages(glance::activeImagePage, GlanceImage::getId))
                .stream()
                .map(i -> new Image(i.getId(), i.getName(),
                        i.getStatus() == null ? null : i.getStatus().value(),
                        i.getCreatedAt() == null ? null : i.getCreatedAt().toInstant(), i.getTags()))
                .sorted(Comparator.comparing(Image::name, Comparator.nullsLast(Comparator.naturalOrder())))
                .collect(Collectors.toList());
    }

    @Override
    public List<Network> networks() throws ComputeException {
        return toNetworks(call(Service.NEUTRON, "list networks", neutron::networks));
    }

    @Override
    public List<Network> externalNetworks() throws ComputeException {
        return toNetworks(call(Service.NEUTRON, "list external networks", neutron::externalNetworks));
    }

    @Override
    public List<SecurityGroup> securityGroups() throws ComputeException {
        String project = projectId();
        return call(Service.NEUTRON, "list security groups", () -> neutron.securityGroups(project)).stream()
                .map(g -> new SecurityGroup(g.getId(), g.getName()))
                .sorted(Comparator.comparing(SecurityGroup::name, Comparator.nullsLast(Comparator.naturalOrder())))
                .collect(Collectors.toList());
    }

    @Override
    public List<Port> ports(String serverId) throws ComputeException {
        return call(Service.NEUTRON, "list the ports of server " + serverId, () -> neutron.ports(serverId))
                .stream()
                .map(p -> new Port(p.getId(), p.getNetworkId(), firstIpv4(p.getFixedIps()), p.getDeviceId(),
                        p.getState() == null ? null : p.getState().name()))
                .collect(Collectors.toList());
    }

    @Override
    public List<FloatingIp> floatingIps(String descriptionPrefix) throws ComputeException {
        String project = projectId();
        List<NeutronFloatingIP> all = call(Service.NEUTRON, "list floating IPs",
                () -> neutron.floatingIps(project));
        List<FloatingIp> matching = all.stream()
                .filter(f -> Objects.toString(f.getDescription(), "").startsWith(descriptionPrefix))
                .map(Openstack4jCompute::toFloatingIp)
                .collect(Collectors.toList());
        LOGGER.fine(() -> "Neutron: " + matching.size() + " of " + all.size() + " floating IPs have a description "
                + "starting with '" + descriptionPrefix + "'");
        return matching;
    }

    @Override
    public FloatingIp allocateFloatingIp(String networkId, String description) throws ComputeException {
        String body = json(Map.of("floatingip", Map.of("floating_network_id", networkId, "description", description)));
        FloatingIp f = toFloatingIp(call(Service.NEUTRON, "allocate a floating IP on network " + networkId,
                () -> neutron.allocate(body)));
        LOGGER.fine(() -> "Neutron: allocated floating IP " + f.address() + " (" + f.id() + ") for " + description);
        return f;
    }

    @Override
    public FloatingIp associateFloatingIp(String floatingIpId, String portId) throws ComputeException {
        String body = json(Map.of("floatingip", Map.of("port_id", portId)));
        return toFloatingIp(call(Service.NEUTRON, "associate floating IP " + floatingIpId + " with port " + portId,
                () -> neutron.update(floatingIpId, body)));
    }

    @Override
    public boolean releaseFloatingIp(String floatingIpId) throws ComputeException {
        return deleteUnlessGone(Service.NEUTRON, "floating IP " + floatingIpId,
                () -> neutron.release(floatingIpId));
    }

    @Override
    public NeutronQuota neutronQuota() throws ComputeException {
        String project = projectId();
        JsonNode quota = call(Service.NEUTRON, "read the project's network quota",
                () -> neutron.quotaDetails(project)).path("quota");
        return new NeutronQuota(usage(quota, "floatingip"), usage(quota, "port"));
    }

    @Override
    public String toString() {
        return "Openstack4jCompute[" + settings + "]";
    }

    // ------------------------------------------------------------------------------------------------ calls

    /**
     * Runs one request on the calling thread with the current token; on a 401, asks Keystone for a new token and
     * runs it once more (a 401 means the service refused the request before acting on it).
     */
    private <T> T call(Service service, String action, Supplier<T> request) throws ComputeException {
        Token t = currentToken();
        try {
            return run(t, service, request);
        } catch (RuntimeException e) {
            if (ErrorTranslator.status(e) != 401) {
                throw ErrorTranslator.translate(e, service.title, action, endpoint(t, service));
            }
            LOGGER.fine(() -> service.title + " refused the token (401) to " + action + "; asking for a new one");
        }
        Token renewed = renew(t);
        try {
            return run(renewed, service, request);
        } catch (RuntimeException e) {
            throw ErrorTranslator.translate(e, service.title, action, endpoint(renewed, service));
        }
    }

    /** Binds a session for the token to this thread (openstack4j's services read it from there) and runs. */
    private <T> T run(Token t, Service service, Supplier<T> request) throws ComputeException {
        endpoint(t, service); // a clear sentence if the catalog lacks it, rather than openstack4j's exception
        OSClientV3 os = OSFactory.clientFromToken(t, Facing.PUBLIC, config);
        os.useRegion(region);
        os.headers(NO_OPENSTACK4J_REAUTH);
        return request.get();
    }

    /** A delete: {@code true} when the service accepted it, {@code false} when the thing was already gone (404). */
    private boolean deleteUnlessGone(Service service, String what, Supplier<Void> request) throws ComputeException {
        try {
            call(service, "delete " + what, request);
            LOGGER.fine(() -> service.title + ": accepted the deletion of " + what);
            return true;
        } catch (ComputeException e) {
            if (e.is(Kind.NOT_FOUND)) {
                LOGGER.fine(() -> service.title + ": " + what + " was already gone");
                return false;
            }
            throw e;
        }
    }

    /** Every page of a list, asked with a marker until a page comes back short or repeats itself. */
    private static <T> List<T> allPages(BiFunction<String, Integer, List<T>> page, Function<T, String> id) {
        Map<String, T> all = new LinkedHashMap<>();
        String marker = null;
        while (true) {
            List<T> items = page.apply(marker, PAGE_SIZE);
            int before = all.size();
            for (T item : items) {
                all.putIfAbsent(id.apply(item), item);
            }
            // a short page is the last (Nova's and Glance's max_limit default to 1000, more than a page)
            if (items.size() < PAGE_SIZE || all.size() == before) {
                return new ArrayList<>(all.values());
            }
            marker = id.apply(items.get(items.size() - 1));
        }
    }

    // ------------------------------------------------------------------------------------------------ tokens

    private Token currentToken() throws ComputeException {
        Token t = token;
        return t != null && fresh(t) ? t : renew(t);
    }

    /** A new token, unless another thread has replaced {@code stale} with a fresh one meanwhile. */
    private Token renew(Token stale) throws ComputeException {
        synchronized (tokenLock) {
            Token t = token;
            if (t != null && t != stale && fresh(t)) {
                return t;
            }
            token = null;
            Token issued = authenticate();
            token = issued;
            return issued;
        }
    }

    private static boolean fresh(Token t) {
        Date expires = t.getExpires();
        if (expires == null) {
            return true;
        }
        Instant end = expires.toInstant();
        Instant start = t.getIssuedAt() != null
                ? t.getIssuedAt().toInstant()
                : end.minus(RENEW_BEFORE_EXPIRY.multipliedBy(2));
        Duration halfLife = Duration.between(start, end).dividedBy(2);
        Duration margin = halfLife.compareTo(RENEW_BEFORE_EXPIRY) < 0 ? halfLife : RENEW_BEFORE_EXPIRY;
        return Instant.now().plus(margin).isBefore(end);
    }

    /**
     * Asks Keystone v3 for a project-scoped token: {@code POST /v3/auth/tokens} through openstack4j's HTTP layer
     * (openstack4j 3.12 builds password and token requests but has no application-credential method).
     */
    private Token authenticate() throws ComputeException {
        ConnectionSettings.Credentials credentials = settings.credentials();
        LOGGER.fine(() -> "Keystone: asking " + authUrl + " for a token with " + credentials);
        KeystoneToken t;
        try {
            HttpResponse response = postToken(tokenRequest(credentials, true));
            int status = response.getStatus();
            if (status < 400 && status / 100 != 2) {
                HttpEntityHandler.closeQuietly(response);
                throw ErrorTranslator.notKeystone(authUrl,
                        "the answer " + status + " " + response.getStatusMessage(), null);
            }
            String id = response.header(ClientConstants.HEADER_X_SUBJECT_TOKEN);
            t = response.getEntity(KeystoneToken.class, raiseErrors());
            if (t == null || id == null) {
                throw ErrorTranslator.notKeystone(authUrl, "an answer without a token", null);
            }
            t.setId(id);
            t.setEndpoint(authUrl);
        } catch (RuntimeException e) {
            if (credentials instanceof Password p && ErrorTranslator.status(e) == 401 && passwordIsRight(p)) {
                throw new ComputeException(Kind.PERMANENT, "Keystone at " + authUrl + " accepted the password of user '"
                        + p.user() + "' but not for project '" + p.project() + "' (domain '" + p.domain()
                        + "'): the project does not exist there, or the user has no role on it.", e);
            }
            throw ErrorTranslator.authFailure(e, authUrl, credentials);
        }
        if (t.getCatalog() == null || t.getCatalog().isEmpty()) {
            throw new ComputeException(Kind.PERMANENT, "Keystone at " + authUrl + " issued a token without a "
                    + "service catalog; the credentials must be scoped to a project.");
        }
        endpoint(t, Service.NOVA);
        LOGGER.fine(() -> "Keystone: token issued for project " + projectName(t) + ", expires " + t.getExpires());
        return t;
    }

    private HttpResponse postToken(String body) {
        HttpRequest<KeystoneToken> request = HttpRequest.builder(KeystoneToken.class)
                .endpoint(authUrl).path("/auth/tokens").method(HttpMethod.POST).config(config)
                .header(ClientConstants.HEADER_OS4J_AUTH, "Tokens")
                .json(body)
                .build();
        return HttpExecutor.create().execute(request);
    }

    /**
     * After a 401 for a project-scoped password token: whether the same password gets an unscoped token, i.e.
     * the project, not the password, is what Keystone refused. Only asked on that failure path.
     */
    private boolean passwordIsRight(Password p) {
        try {
            HttpResponse r = postToken(tokenRequest(p, false));
            int status = r.getStatus();
            HttpEntityHandler.closeQuietly(r);
            return status / 100 == 2;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String tokenRequest(ConnectionSettings.Credentials credentials, boolean scoped) {
        Map<String, Object> identity;
        Map<String, Object> auth;
        if (credentials instanceof Password p) {
            Map<String, Object> domain = Map.of("name", blankIfNull(p.domain()));
            identity = Map.of("methods", List.of("password"), "password", Map.of("user", Map.of(
                    "name", blankIfNull(p.user()), "domain", domain, "password", blankIfNull(p.password()))));
            auth = scoped ? Map.of("identity", identity,
                    "scope", Map.of("project", Map.of("name", blankIfNull(p.project()), "domain", domain)))
                    : Map.of("identity", identity);
        } else {
            ApplicationCredential a = (ApplicationCredential) credentials;
            identity = Map.of("methods", List.of("application_credential"), "application_credential",
                    Map.of("id", blankIfNull(a.id()), "secret", blankIfNull(a.secret())));
            auth = Map.of("identity", identity);
        }
        return json(Map.of("auth", auth));
    }

    /** A request body. */
    private static String json(Map<String, Object> body) {
        try {
            return ObjectMapperSingleton.getContext(Map.class).writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write a request body", e);
        }
    }

    /**
     * The public endpoint of a service in the configured region, as openstack4j will pick it, or a
     * {@link Kind#PERMANENT} failure that names the region and the regions the catalog has.
     */
    private String endpoint(Token t, Service service) throws ComputeException {
        TreeSet<String> regions = new TreeSet<>();
        for (org.openstack4j.model.identity.v3.Service s : t.getCatalog()) {
            for (Endpoint e : s.getEndpoints()) {
                if (e.getRegion() != null) {
                    regions.add(e.getRegion());
                }
                if (service.type.equals(s.getType()) && e.getIface() == Facing.PUBLIC
                        && (region == null || region.equals(e.getRegion())) && e.getUrl() != null) {
                    return e.getUrl().toString();
                }
            }
        }
        String where = region == null ? "" : " in region '" + region + "'";
        throw new ComputeException(Kind.PERMANENT, "The service catalog of " + authUrl + " has no public "
                + service.type + " (" + service.title + ") endpoint" + where + "; its regions are: "
                + (regions.isEmpty() ? "none" : String.join(", ", regions)) + ".");
    }

    /** A missing value is sent empty: Keystone then refuses it with a status this class translates. */
    private static String blankIfNull(String s) {
        return s == null ? "" : s;
    }

    /** The id of the project the token is scoped to: Neutron's quota and floating IPs are asked for it. */
    private String projectId() throws ComputeException {
        Token t = currentToken();
        if (t.getProject() == null || t.getProject().getId() == null) {
            throw new ComputeException(Kind.PERMANENT, "Keystone at " + authUrl + " issued a token that names no "
                    + "project; the credentials must be scoped to a project.");
        }
        return t.getProject().getId();
    }

    private static String projectName(Token t) {
        return t.getProject() == null ? "?" : t.getProject().getName() + " (" + t.getProject().getId() + ")";
    }

    // ------------------------------------------------------------------------------------------------ mapping

    private static Server toServer(NovaServer s, String name, Map<String, String> metadata, Server.Status ifNone,
                                   String flavorIfNone) {
        Server.Status status = s.getStatus() == null ? ifNone : Server.Status.of(s.getStatus().name());
        Server.Fault fault = s.getFault() == null ? null
                : new Server.Fault(s.getFault().getCode(), s.getFault().getMessage());
        Map<String, String> md = new LinkedHashMap<>(metadata);
        if (s.getMetadata() != null) {
            s.getMetadata().forEach((k, v) -> {
                if (k != null && v != null) {
                    md.put(k, v);
                }
            });
        }
        return new Server(s.getId(), s.getName() != null ? s.getName() : name, status, md, fault,
                s.getCreated() == null ? null : s.getCreated().toInstant(), firstAddress(s.getAddresses()),
                s.getFlavorId() != null ? s.getFlavorId() : flavorIfNone);
    }

    private static List<Network> toNetworks(List<NeutronNetwork> networks) {
        return networks.stream()
                .map(n -> new Network(n.getId(), n.getName()))
                .sorted(Comparator.comparing(Network::name, Comparator.nullsLast(Comparator.naturalOrder())))
                .collect(Collectors.toList());
    }

    private static FloatingIp toFloatingIp(NeutronFloatingIP f) {
        return new FloatingIp(f.getId(), f.getFloatingIpAddress(), f.getFloatingNetworkId(), f.getPortId(),
                f.getDescription(), f.getStatus());
    }

    /** A port's first fixed IPv4 address, or null. */
    private static String firstIpv4(Set<? extends IP> fixedIps) {
        if (fixedIps == null) {
            return null;
        }
        return fixedIps.stream().map(IP::getIpAddress).filter(a -> a != null && !a.contains(":"))
                .findFirst().orElse(null);
    }

    /** One resource of Neutron's quota details: {@code {"limit": 50, "used": 3, "reserved": 1}}. */
    private static NeutronQuota.Usage usage(JsonNode quota, String resource) throws ComputeException {
        JsonNode r = quota.path(resource);
        if (!r.path("limit").isInt() || !r.path("used").isInt()) {
            throw new ComputeException(Kind.TRANSIENT,
                    "Neutron answered the quota request without the limit and usage of " + resource + ".");
        }
        return new NeutronQuota.Usage(r.path("limit").asInt(), r.path("used").asInt() + r.path("reserved").asInt());
    }

    /** The first IPv4 address of the networks in name order, else the first address at all. */
    private static String firstAddress(Addresses addresses) {
        if (addresses == null || addresses.getAddresses() == null) {
            return null;
        }
        List<Address> all = new ArrayList<>();
        addresses.getAddresses().entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> {
                    if (e.getValue() != null) {
                        e.getValue().stream().filter(a -> a != null && a.getAddr() != null).forEach(all::add);
                    }
                });
        return all.stream().filter(a -> a.getVersion() == 4).findFirst()
                .or(() -> all.stream().findFirst())
                .map(Address::getAddr)
                .orElse(null);
    }

    // ------------------------------------------------------------------------------------------------ settings

    /** The Keystone v3 base URL: {@code .../v3} is added when the configured URL does not end with it. */
    static String keystoneV3(String url) {
        String u = url.strip();
        while (u.endsWith("/")) {
            u = u.substring(0, u.length() - 1);
        }
        return u.toLowerCase(Locale.ROOT).endsWith("/v3") ? u : u + "/v3";
    }

    private static Config config(ConnectionSettings s) {
        Config c = Config.newConfig();
        if (!s.verifyTls()) {
            LOGGER.log(Level.FINE, "TLS certificates of {0} will not be verified", s.authUrl());
            c = c.withSSLVerificationDisabled();
        }
        if (s.connectTimeout() != null) {
            c = c.withConnectionTimeout(millis(s.connectTimeout()));
        }
        if (s.readTimeout() != null) {
            c = c.withReadTimeout(millis(s.readTimeout()));
        }
        return c;
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }

    // ------------------------------------------------------------------------------------------------ requests

    /**
     * The Nova requests, made like openstack4j's own services make them (on the session bound to the thread) but
     * with {@link ErrorTranslator#raiseErrors()}. No microversion header: Nova answers as 2.1, which boots a server
     * without a {@code networks} key.
     */
    private static final class NovaCalls extends BaseComputeServices {
        NovaServer boot(ServerCreateBuilder server) {
            return post(NovaServer.class, "/servers")
                    .entity(WrapServerIfApplicableFunction.INSTANCE.apply(server.build()))
                    .execute(raiseErrors());
        }

        NovaServer server(String id) {
            return get(NovaServer.class, uri("/servers/%s", id)).execute(raiseErrors());
        }

        List<NovaServer> serverPage(String marker, int limit) {
            return get(NovaServer.Servers.class, "/servers/detail")
                    .param("limit", limit).param(marker != null, "marker", marker)
                    .execute(raiseErrors()).getList();
        }

        Void delete(String id) {
            return delete(Void.class, uri("/servers/%s", id)).execute(raiseErrors());
        }

        NovaLimits limits() {
            return get(NovaLimits.class, "/limits").execute(raiseErrors());
        }

        List<NovaFlavor> flavors() {
            return get(NovaFlavor.Flavors.class, "/flavors/detail").execute(raiseErrors()).getList();
        }
    }

    /** Glance v2 (openstack4j adds {@code /v2} to the catalog URL). */
    private static final class GlanceCalls extends BaseImageServices {
        List<GlanceImage> activeImagePage(String marker, int limit) {
            return get(GlanceImage.Images.class, "/images")
                    .param("status", "active").param("limit", limit).param(marker != null, "marker", marker)
                    .execute(raiseErrors()).getList();
        }
    }

    /**
     * Neutron v2.0 (openstack4j adds {@code /v2.0} to the catalog URL). Lists are not paged: Neutron answers the whole
     * list unless its {@code pagination_max_limit} is set.
     */
    private static final class NeutronCalls extends BaseNetworkingServices {
        List<NeutronNetwork> networks() {
            return get(NeutronNetwork.Networks.class, "/networks").execute(raiseErrors()).getList();
        }

        List<NeutronNetwork> externalNetworks() {
            return get(NeutronNetwork.Networks.class, "/networks").param("router:external", true)
                    .execute(raiseErrors()).getList();
        }

        /** Only the project's: with an admin token Neutron would list every project's. */
        List<NeutronSecurityGroup> securityGroups(String projectId) {
            return get(NeutronSecurityGroup.SecurityGroups.class, "/security-groups").param("project_id", projectId)
                    .execute(raiseErrors()).getList();
        }

        List<NeutronPort> ports(String serverId) {
            return get(NeutronPort.Ports.class, "/ports").param("device_id", serverId)
                    .execute(raiseErrors()).getList();
        }

        /** Only the project's: with an admin token Neutron would list every project's. */
        List<NeutronFloatingIP> floatingIps(String projectId) {
            return get(NeutronFloatingIP.FloatingIPs.class, "/floatingips").param("project_id", projectId)
                    .execute(raiseErrors()).getList();
        }

        NeutronFloatingIP allocate(String body) {
            return post(NeutronFloatingIP.class, "/floatingips").json(body).execute(raiseErrors());
        }

        NeutronFloatingIP update(String id, String body) {
            return put(NeutronFloatingIP.class, uri("/floatingips/%s", id)).json(body).execute(raiseErrors());
        }

        Void release(String id) {
            return delete(Void.class, uri("/floatingips/%s", id)).execute(raiseErrors());
        }

        JsonNode quotaDetails(String projectId) {
            return get(JsonNode.class, uri("/quotas/%s/details.json", projectId)).execute(raiseErrors());
        }
    }
}
