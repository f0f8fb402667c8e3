package io.jenkins.plugins.openstackagents.browser;

import java.util.ArrayList;
import java.util.List;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/** One OpenStack cloud on the Configure System page. */
final class CloudSection extends FormSection {

    CloudSection(Browser browser, WebElement root) {
        super(browser, root);
    }

    @Override
    protected String own() {
        return "[not(ancestor::div[@name='templates'])]";
    }

    /** Clicks Test Connection and returns the sentence it answers with. */
    String testConnection() {
        WebElement button = root.findElement(By.xpath(".//button[normalize-space(.)='Test Connection']"));
        WebElement answer = button.findElement(By.xpath("./ancestor::td[1]/div[3]"));
        browser.click(button);
        return browser.await("Test Connection's answer", d -> {
            String t = answer.getText().trim();
            return t.isEmpty() ? null : t;
        });
    }

    List<TemplateSection> templates() {
        List<TemplateSection> r = new ArrayList<>();
        for (WebElement chunk : root.findElements(By.xpath(".//div[contains(@class,'repeated-chunk')"
                + " and @name='templates' and not(contains(@class,'to-be-removed'))]"))) {
            r.add(new TemplateSection(browser, chunk));
        }
        return r;
    }

    TemplateSection template(String name) {
        for (TemplateSection t : templates()) {
            if (name.equals(t.field("name").getAttribute("value"))) {
                return t;
            }
        }
        throw new AssertionError("no template named " + name);
    }

    /** Clicks Add below the templates: the new, empty template. */
    TemplateSection addTemplate() {
        int before = templates().size();
        WebElement container = root.findElement(By.xpath(".//div[contains(@class,'repeated-container')]"));
        List<WebElement> adds = container.findElements(By.xpath("./*//button[normalize-space(.)='Add']"));
        browser.click(adds.get(adds.size() - 1));
        browser.await("a new template", d -> templates().size() > before);
        List<TemplateSection> all = templates();
        return all.get(all.size() - 1);
    }
}
