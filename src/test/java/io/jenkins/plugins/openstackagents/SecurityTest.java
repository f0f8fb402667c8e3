package io.jenkins.plugins.openstackagents;

import com.gargoylesoftware.htmlunit.FailingHttpStatusCodeException;
import com.gargoylesoftware.htmlunit.HttpMethod;
import com.gargoylesoftware.htmlunit.Page;
import com.gargoylesoftware.htmlunit.WebRequestSettings;
import hudson.model.Hudson;
import hudson.security.GlobalMatrixAuthorizationStrategy;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import java.net.URL;

/**
 * The web methods that talk to the cloud or show its state answer administrators only, and act only on POST;
 * secrets never reach a page.
 */
public class SecurityTest extends OpenStackTestCase {

    private static final String CLOUD_FORM = "descriptorByName/io.jenkins.plugins.openstackagents.OpenStackCloud/";
    private static final String TEMPLATE_FORM = "descriptorByName/io.jenkins.plugins.openstackagents.AgentTemplate/";
    private static final String NETWORK_ROW_FORM =
            "descriptorByName/io.jenkins.plugins.openstackagents.AgentNetwork/";
    private static final String QUERY = "authUrl=https://keystone.example.com/v3&username=u&password=p"
            + "&projectName=x&domainName=Default&verifyTls=true";

    @Override
    protected void setUp() throws Exception {
        super.setUp();
        hudson.clouds.add(cloud("os", getURL().toString(), template("t", "l", 10, "/tmp/a")));
        hudson.setSecurityRealm(createDummySecurityRealm());
        GlobalMatrixAuthorizationStrategy auth = new GlobalMatrixAuthorizationStrategy();
        auth.add(Hudson.ADMINISTER, "admin");
        auth.add(Hudson.READ, "reader");
        hudson.setAuthorizationStrategy(auth);
    }

    /** A request as the configuration page's scripts send it, with the CSRF crumb Jenkins requires on POST. */
    private static WebRequestSettings request(WebClient wc, HttpMethod method, URL url) {
        WebRequestSettings r = new WebRequestSettings(url, method);
        return method == HttpMethod.POST ? wc.addCrumb(r) : r;
    }

    private int status(WebClient wc, HttpMethod method, String path) throws Exception {
        try {
            Page p = wc.getPage(request(wc, method, new URL(getURL(), path)));
            return p.getWebResponse().getStatusCode();
        } catch (FailingHttpStatusCodeException e) {
            return e.getStatusCode();
        }
    }

    private String text(WebClient wc, HttpMethod method, String path) throws Exception {
        return wc.getPage(request(wc, method, new URL(getURL(), path))).getWebResponse().getContentAsString();
    }

    /** The calls Test Connection and the dropdowns make (the periodic cleanup only lists servers). */
    private int formCalls() {
        return compute.calls(InMemoryCompute.Op.LIMITS) + compute.calls(InMemoryCompute.Op.FLAVORS)
                + compute.calls(InMemoryCompute.Op.IMAGES) + compute.calls(InMemoryCompute.Op.NETWORKS)
                + compute.calls(InMemoryCompute.Op.SECURITY_GROUPS);
    }

    public void testNonAdministratorsCannotReachTheCloud() throws Exception {
        WebClient reader = createWebClient().login("reader");
        int callsBefore = formCalls();
        assertEquals(403, status(reader, HttpMethod.POST, CLOUD_FORM + "testConnection?" + QUERY));
        assertEquals(403, status(reader, HttpMethod.POST, TEMPLATE_FORM + "fillFlavorItems?" + QUERY));
        assertEquals(403, status(reader, HttpMethod.POST, TEMPLATE_FORM + "checkSecurityGroups?value=web&" + QUERY));
        assertEquals(403, status(reader, HttpMethod.POST, NETWORK_ROW_FORM + "fillIdItems?" + QUERY));
        assertEquals(403, status(reader, HttpMethod.GET, "openstack-agents/os/"));
        assertEquals(403, status(reader, HttpMethod.GET, CLOUD_FORM + "checkAuthUrl?value=https://k.example.com/v3"));
        assertEquals("no request of theirs reached the cloud", callsBefore, formCalls());
    }

    public void testAdministratorsActOnlyOnPost() throws Exception {
        WebClient admin = createWebClient().login("admin");
        int callsBefore = formCalls();
        String get = text(admin, HttpMethod.GET, CLOUD_FORM + "testConnection?" + QUERY);
        assertTrue(get, get.contains("must be sent as POST"));
        assertEquals(callsBefore, formCalls());
        String post = text(admin, HttpMethod.POST, CLOUD_FORM + "testConnection?" + QUERY);
        assertTrue(post, post.contains("Connected"));
        assertEquals(200, status(admin, HttpMethod.GET, "openstack-agents/os/"));
    }

    public void testSecretsNeverReachThePages() throws Exception {
        WebClient admin = createWebClient().login("admin");
        String configure = admin.goTo("configure").getWebResponse().getContentAsString();
        String status = admin.goTo("openstack-agents/os/").getWebResponse().getContentAsString();
        for (String page : new String[] {configure, status}) {
            assertFalse("the password in a page", page.contains("s3cret-password"));
            assertFalse("the inbound secret in a page", page.contains(hudson.getSecretKey()));
        }
    }
}
