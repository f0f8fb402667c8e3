package io.jenkins.plugins.openstackagents.pool;

import io.jenkins.plugins.openstackagents.nova.ComputeException;
import io.jenkins.plugins.openstackagents.nova.Server;
import io.jenkins.plugins.openstackagents.nova.ServerRequest;
import java.time.Duration;

/** What a launch asks of the runtime: the create of a reserved server, then its boot watched until ACTIVE. */
public final class TestLaunch {

    private TestLaunch() {
    }

    public static Server launch(CloudRuntime rt, String name, ServerRequest request, Duration bootTimeout)
            throws ComputeException, InterruptedException {
        return rt.awaitActive(name, rt.create(name, request), bootTimeout, null);
    }
}
