package io.jenkins.plugins.openstackagents.browser;

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
}
