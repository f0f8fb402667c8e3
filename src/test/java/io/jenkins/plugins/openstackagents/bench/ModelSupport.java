package io.jenkins.plugins.openstackagents.bench;

import java.util.function.Consumer;

/** Event-driven calls to the simulated Nova for the models: the answer arrives after the request's response time. */
final class ModelSupport {

    @FunctionalInterface
    interface NovaCall<T> {
        T call() throws SimNova.NovaError;
    }

    private ModelSupport() {
    }

    /** Makes the request now; runs {@code ok} or {@code failed} when its answer arrives. */
    static <T> void call(Policy.Context c, String kind, NovaCall<T> call, Consumer<T> ok,
                         Consumer<SimNova.NovaError> failed) {
        double latency = c.nova().latency(kind);
        try {
            T r = call.call();
            c.vt().after(latency, () -> ok.accept(r));
        } catch (SimNova.NovaError e) {
            c.vt().after(latency, () -> failed.accept(e));
        }
    }
}
