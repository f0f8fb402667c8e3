package io.jenkins.plugins.openstackagents;

import com.gargoylesoftware.htmlunit.HttpMethod;
import com.gargoylesoftware.htmlunit.WebRequestSettings;
import io.jenkins.plugins.openstackagents.nova.InMemoryCompute;
import io.jenkins.plugins.openstackagents.pool.CloudRuntime;
import java.net.URL;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The configuration page's requests to the cloud go through a gate and share one connection (one Keystone token)
 * per set of connection settings: a new cloud's dropdowns and checks cost one login, not one per list, and a saved
 * cloud's use the connection (and the rate limit, pause and statistics) of its runtime.
 */
public class FormConnectionsTest extends OpenStackTestCase {

    private static final String CLOUD_FORM = "descriptorByName/io.jenkins.plugins.openstackagents.OpenStackCloud/";
    private static final String TEMPLATE_FORM = "descriptorByName/io.jenkins.plugins.openstackagents.AgentTemplate/";
    private final AtomicInteger logins = new AtomicInteger();

    @Override
    protected void setUp() throws Exception {
        super.setUp();
        OpenStackCloud.descriptor().setComputeFactory(s -> {
            logins.incrementAndGet(); // each connection asks Keystone for its own token
            return compute;
        });
    }

    /** Everything the page asks for one cloud as it loads and as its fields are checked. */
    private void page(String query) throws Exception {
        WebClient wc = createWebClient();
        for (String path : new String[] {CLOUD_FORM + "testConnection", TEMPLATE_FORM + "fillFlavorItems",
                TEMPLATE_FORM + "fillImageItems", TEMPLATE_FORM + "fillNetworkItems",
                TEMPLATE_FORM + "checkFlavor?value=1&", TEMPLATE_FORM + "checkImage?value=img-1&",
                TEMPLATE_FORM + "checkNetwork?value=net-1&"}) {
            String url = path + (path.endsWith("&") ? "" : "?") + query;
            WebRequestSettings r = wc.addCrumb(new WebRequestSettings(new URL(getURL(), url), HttpMethod.POST));
            assertEquals(url, 200, wc.getPage(r).getWebResponse().getStatusCode());
        }
    }

    public void testANewCloudsDropdownsCostOneLogin() throws Exception {
        page("authUrl=https://new.example.com/v3&username=u&password=p&projectName=x&domainName=Default"
                + "&verifyTls=true");
        assertEquals("logins for one page", 1, logins.get());
        assertEquals("flavors read by Test Connection and by the dropdown, whose check shares its list", 2,
                compute.calls(InMemoryCompute.Op.FLAVORS));
        page("authUrl=https://new.example.com/v3&username=u&password=p&projectName=x&domainName=Default"
                + "&verifyTls=true");
        assertEquals("the page opened again: the same login", 1, logins.get());
    }

    public void testASavedCloudsFormUsesItsRuntimesGate() throws Exception {
        OpenStackCloud cloud = cloud("os", getURL().toString(), template("t", "l", 10, "/tmp/a"));
        hudson.clouds.add(cloud);
        CloudRuntime rt = cloud.runtime();
        assertEquals("the runtime's own login", 1, logins.get());
        page("authUrl=https://keystone.example.com:5000/v3&region=RegionOne&username=jenkins"
                + "&password=s3cret-password&projectName=ci&domainName=Default&verifyTls=true");
        assertEquals("no login of the forms' own", 1, logins.get());
        assertEquals("the lists went through the cloud's gate", 2, rt.stats().count("flavors", "ok"));
    }
}
