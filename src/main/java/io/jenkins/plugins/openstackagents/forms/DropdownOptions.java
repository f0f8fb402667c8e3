package io.jenkins.plugins.openstackagents.forms;

import hudson.util.ListBoxModel;
import java.io.IOException;
import javax.servlet.ServletException;
import net.sf.json.JSONArray;
import net.sf.json.JSONObject;
import org.kohsuke.stapler.StaplerRequest;
import org.kohsuke.stapler.StaplerResponse;

/**
 * The options of a dropdown, answered to the browser as the JSON Hudson's {@code updateListBox} reads
 * ({@code {"values": [{"name", "value", "selected"}]}}), written here rather than through Stapler's bean exporter:
 * Stapler 1.155 publishes an exporter model before it has filled it in, so the first dropdowns of a page, asked for
 * at once, could fail with a NullPointerException (HTTP 500) and stay empty.
 */
public final class DropdownOptions extends ListBoxModel {

    @Override
    public void generateResponse(StaplerRequest req, StaplerResponse rsp, Object node)
            throws IOException, ServletException {
        JSONArray values = new JSONArray();
        for (Option o : this) {
            JSONObject v = new JSONObject();
            v.put("name", o.name);
            v.put("value", o.value);
            v.put("selected", o.selected);
            values.add(v);
        }
        JSONObject body = new JSONObject();
        body.put("values", values);
        rsp.setContentType("application/json;charset=UTF-8");
        rsp.getWriter().print(body.toString());
    }
}
