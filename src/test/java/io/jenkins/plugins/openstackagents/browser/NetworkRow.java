package io.jenkins.plugins.openstackagents.browser;

import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** One row of a template's additional networks: a dropdown of the cloud's networks and its Delete button. */
final class NetworkRow extends FormSection {

    NetworkRow(Browser browser, WebElement root) {
        super(browser, root);
    }

    @Override
    protected String own() {
        return "";
    }

    /** Clicks the row's Delete network button. */
    void delete() {
        browser.click(root.findElement(By.xpath(".//button[normalize-space(.)='Delete network']")));
    }
}
