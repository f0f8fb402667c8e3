package io.jenkins.plugins.openstackagents.browser;

import java.time.Duration;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/** A part of a Hudson form (a cloud, a template): its fields, each with the message Hudson shows below it. */
abstract class FormSection {

    protected final Browser browser;
    protected final WebElement root;

    FormSection(Browser browser, WebElement root) {
        this.browser = browser;
        this.root = root;
    }

    /** Fields of this section only, not of sections nested in it. */
    protected abstract String own();

    WebElement root() {
        return root;
    }

    WebElement field(String name) {
        return root.findElement(By.xpath(".//*[@name='_." + name + "']" + own()));
    }

    /** Types a value as a person does: select all, type, then Tab to the next field (which runs the check). */
    void type(String name, String value) {
        WebElement f = field(name);
        browser.click(f);
        f.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        f.sendKeys(value);
        f.sendKeys(Keys.TAB);
    }

    Select select(String name) {
        return new Select(field(name));
    }

    /** The option of a dropdown with this text, once the cloud has filled it in, chosen. */
    void choose(String name, String optionText) {
        awaitOption(name, optionText);
        browser.await("'" + optionText + "' chosen in " + name, d -> {
            select(name).selectByVisibleText(optionText);
            return optionText.equals(select(name).getFirstSelectedOption().getText());
        });
    }

    void awaitOption(String name, String optionText) {
        browser.await("option '" + optionText + "' in " + name, d -> {
            for (WebElement o : select(name).getOptions()) {
                if (o.getText().equals(optionText)) {
                    return true;
                }
            }
            return false;
        });
    }

    /** What Hudson says below the field (its check's answer), waiting for one that contains {@code expected}. */
    String awaitMessage(String name, String expected) {
        return awaitMessage(name, expected, Duration.ofSeconds(30));
    }

    /** {@link #awaitMessage(String, String)} for at most the given time. */
    String awaitMessage(String name, String expected, Duration atMost) {
        return browser.await("a message containing '" + expected + "' below " + name, atMost, d -> {
            String m = message(name);
            return m.contains(expected) ? m : null;
        });
    }

    /** The first message Hudson shows below the field once its check has answered. */
    String awaitAnyMessage(String name) {
        return browser.await("a message below " + name, d -> {
            String m = message(name);
            return m.isEmpty() ? null : m;
        });
    }

    String message(String name) {
        return field(name).findElement(By.xpath("./ancestor::tr[1]/following-sibling::tr[1]")).getText().trim();
    }

    /** Clicks the field's {@code ?} and returns the help text it opens. */
    String help(String name) {
        WebElement row = field(name).findElement(By.xpath("./ancestor::tr[1]"));
        return openHelp(browser, row.findElement(By.xpath(".//a[contains(@class,'help-button')]")));
    }

    /** Clicks a {@code ?} and returns the help text it opens in the help row below it. */
    static String openHelp(Browser browser, WebElement helpButton) {
        WebElement row = helpButton.findElement(By.xpath("./ancestor::tr[1]"));
        browser.click(helpButton);
        WebElement area = row.findElement(By.xpath("./following-sibling::tr[contains(@class,'help-area')][1]"));
        return browser.await("the help below " + row.getText(), d -> {
            String t = area.getText().trim();
            return t.isEmpty() || t.startsWith("Loading") ? null : t;
        });
    }

    /** Opens this section's Advanced part. */
    void advanced() {
        browser.click(root.findElement(By.xpath(".//button[normalize-space(.)='Advanced...']" + own())));
    }
}
