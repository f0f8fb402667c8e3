package io.jenkins.plugins.openstackagents.browser;

import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** Hudson's Configure System page, seen through the cloud sections the plugin adds to it. */
final class ConfigurePage {

    static final String CLOUD_CLASS = "io.jenkins.plugins.openstackagents.OpenStackCloud";

    private final Browser browser;

    private ConfigurePage(Browser browser) {
        this.browser = browser;
    }

    static ConfigurePage open(Browser browser, HudsonServer hudson) {
        browser.open(hudson.url() + "configure");
        ConfigurePage page = new ConfigurePage(browser);
        // Hudson turns the form's buttons into YUI buttons once its scripts have run: the page is wired then
        browser.await("the Save button", d -> d.findElement(By.xpath("//button[normalize-space(.)='Save']")));
        return page;
    }

    /** Add a new cloud, then OpenStack Agents in its menu: the new, empty cloud section. */
    CloudSection addOpenStackCloud() {
        int before = cloudChunks().size();
        browser.click(browser.find(By.xpath("//button[normalize-space(.)='Add a new cloud']")));
        browser.click(browser.await("the OpenStack Agents menu item", d -> d.findElement(By.xpath(
                "//a[contains(@class,'yuimenuitemlabel') and normalize-space(.)='OpenStack Agents']"))));
        browser.await("a new cloud section", d -> cloudChunks().size() > before);
        List<WebElement> chunks = cloudChunks();
        return new CloudSection(browser, chunks.get(chunks.size() - 1));
    }

    /** The section of the saved cloud of this name. */
    CloudSection cloud(String name) {
        for (WebElement chunk : cloudChunks()) {
            CloudSection s = new CloudSection(browser, chunk);
            if (name.equals(s.field("name").getAttribute("value"))) {
                return s;
            }
        }
        throw new AssertionError("no cloud section named " + name);
    }

    private List<WebElement> cloudChunks() {
        return browser.driver().findElements(By.xpath("//div[contains(@class,'repeated-chunk') and @name='cloud'"
                + " and not(ancestor::div[contains(@class,'prototypes')])"
                + " and .//input[@name='stapler-class' and @value='" + CLOUD_CLASS + "']]"));
    }

    /** Clicks Save and waits for the answer: Hudson's front page, or the page that says what was refused. */
    void save() {
        WebElement save = browser.find(By.xpath("//button[normalize-space(.)='Save']"));
        browser.click(save);
        browser.await("the answer to Save", d -> !d.getCurrentUrl().endsWith("/configure"));
        browser.readConsole();
    }

    /** The text of the page shown now (after Save: the front page, or the error). */
    String text() {
        return browser.find(By.tagName("body")).getText();
    }
}
