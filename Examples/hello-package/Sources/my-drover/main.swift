import Drover
import DroverCLI

var registry = WorkerRegistry()
registry.register("hello", Hello())
await DroverCommandLine.main(registry: registry)
