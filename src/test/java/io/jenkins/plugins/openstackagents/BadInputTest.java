package io.jenkins.plugins.openstackagents;

import com.gargoylesoftware.htmlunit.FailingHttpStatusCodeException;
import com.gargoylesoftware.htmlunit.html.HtmlForm;
import com.gargoylesoftware.htmlunit.html.HtmlInput;
import hudson.model.Hudson;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/** Bad input never costs the good configuration, and a hand-edited config.xml does not stop Jenkins. */
public class BadInputTest extends OpenStackTestCase {

    public void testAFormThatCannotBeReadKeepsThePreviousConfiguration() throws Exception {
        OpenStackCloud good = new OpenStackCloud("os", "https://keystone.example.com:5000/v3", "RegionOne", "jenkins",
                "s3cret-password", "ci", "Default", "", "", true, 5, "http://jenkins.example.com/", 60, 100, 60,
                java.util.List.of(template("t", "linux", 10, "/tmp/a")));
        hudson.clouds.add(good);
        hudson.save();
        submit(createWebClient().goTo("configure").getFormByName("config"));
        assertEquals("the unchanged form saves the same cloud", good, hudson.clouds.getByName("os"));
        String[][] cases = {
            {"_.instanceCap", "not a number"}, {"_.instanceCap", "-3"}, {"_.requestsPerSecond", "5/s"},
            {"_.cleanupIntervalSeconds", "1e3"}, {"_.idleMinutes", "ten"}, {"_.numExecutors", "1.5"},
            {"_.bootTimeoutMinutes", "99999999999"}, {"_.maxBuildMinutes", "-1"}, {"_.bootTimeoutMinutes", "0"},
            {"_.connectTimeoutMinutes", "0"}, {"_.requestsPerSecond", "0"}, {"_.authUrl", "ftp://keystone/v3"},
            {"_.labels", "a && b"}, {"_.name", "has space"}, {"_.spareMaxAgeMinutes", "-1"}, {"_.spareAgents", "x"},
        };
        for (String[] c : cases) {
            HtmlForm form = createWebClient().goTo("configure").getFormByName("config");
            HtmlInput input = (HtmlInput) form.getInputsByName(c[0]).get(0);
            input.setValueAttribute(c[1]);
            try {
                submit(form);
            } catch (FailingHttpStatusCodeException expected) {
                // Jenkins answers the bad value with an error page
            }
            assertEquals(c[0] + "=" + c[1] + ": the saved cloud is still the good one", good,
                    hudson.clouds.getByName("os"));
        }
        System.out.println("BAD-INPUT form cases tried: " + cases.length);
        hudson.reload();
        assertEquals(good, Hudson.getInstance().clouds.getByName("os"));
    }

    public void testHandEditedConfigWithMissingAndUnknownFieldsLoads() throws Exception {
        hudson.clouds.add(cloud("os", "http://jenkins.example.com/", template("t", "linux", 10, "/tmp/a")));
        hudson.save();
        File config = new File(hudson.getRootDir(), "config.xml");
        String xml = new String(Files.readAllBytes(config.toPath()), StandardCharsets.UTF_8);
        xml = xml.replaceAll("<instanceCap>\\d+</instanceCap>", "<instanceCap>12</instanceCap><someFutureSetting>x</someFutureSetting>")
                .replaceAll("<limitsIntervalSeconds>\\d+</limitsIntervalSeconds>", "")
                .replaceAll("<requestsPerSecond>\\d+</requestsPerSecond>", "")
                .replaceAll("<cleanupIntervalSeconds>\\d+</cleanupIntervalSeconds>", "");
        Files.write(config.toPath(), xml.getBytes(StandardCharsets.UTF_8));

        hudson.reload();

        OpenStackCloud c = (OpenStackCloud) Hudson.getInstance().clouds.getByName("os");
        assertNotNull("the cloud survived the edit", c);
        assertEquals(12, c.getInstanceCap());
        assertEquals("missing settings take their defaults", OpenStackCloud.DEFAULT_LIMITS_INTERVAL_SECONDS,
                c.getLimitsIntervalSeconds());
        assertEquals(OpenStackCloud.DEFAULT_REQUESTS_PER_SECOND, c.getRequestsPerSecond());
        assertEquals(OpenStackCloud.DEFAULT_CLEANUP_INTERVAL_SECONDS, c.getCleanupIntervalSeconds());
        assertEquals(1, c.getTemplates().size());
        assertEquals(200, createWebClient().goTo("configure").getWebResponse().getStatusCode());
    }
}
