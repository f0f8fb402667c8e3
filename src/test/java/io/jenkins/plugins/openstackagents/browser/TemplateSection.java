package io.jenkins.plugins.openstackagents.browser;

import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** One agent template inside a cloud section. */
final class TemplateSection extends FormSection {

    TemplateSection(Browser browser, WebElement root) {
        super(browser, root);
    }

    @Override
    protected String own() {
        return "";
    }

    /** Clicks the template's Delete button. */
    void delete() {
        browser.click(root.findElement(By.xpath(".//button[normalize-space(.)='Delete']")));
    }

    /** The rows of the template's additional networks, in order. */
    List<NetworkRow> networkRows() {
        List<NetworkRow> r = new ArrayList<>();
        for (WebElement chunk : root.findElements(By.xpath(".//div[contains(@class,'repeated-chunk')"
                + " and @name='extraNetworks' and not(contains(@class,'to-be-removed'))]"))) {
            r.add(new NetworkRow(browser, chunk));
        }
        return r;
    }

    /** Clicks Add network: the new row, its dropdown filled from the cloud once the connection settings are. */
    NetworkRow addNetwork() {
        int before = networkRows().size();
        browser.click(root.findElement(By.xpath(".//button[normalize-space(.)='Add network']")));
        browser.await("a new network row", d -> networkRows().size() > before);
        List<NetworkRow> all = networkRows();
        return all.get(all.size() - 1);
    }

    /** The help of the Additional networks entry (the row above the rows). */
    String networksHelp() {
        WebElement container = root.findElement(By.xpath(".//div[contains(@class,'repeated-container')"
                + " and .//button[normalize-space(.)='Add network']]"));
        WebElement row = container.findElement(By.xpath("./ancestor::tr[1]"));
        return openHelp(browser, row.findElement(By.xpath("./td[contains(@class,'setting-help')]"
                + "/a[contains(@class,'help-button')]")));
    }
}
