import Drover
import DroverCLI
import DroverExamples
import DroverIntegrationKit
import DroverIntegrations

// The `drover` binary: Drover's CLI with the sample app, the playground and the benchmark
// worker registered. A user's own binary does the same with its own workers.
var registry = WorkerRegistry()
registry.register("integrations", IntegrationsWorker())
registry.register(durableObject: "KitState", KitStateObject.self)  // the sample app's state, when KIT_STATE binds it
registry.register("playground", PlaygroundWorker())
registry.register(durableObject: "Counter", PlaygroundCounter.self)
registry.register("upstream-fakes", UpstreamFakesWorker())
registry.register("bench-hello", BenchHelloWorker())
await DroverCommandLine.main(registry: registry)
