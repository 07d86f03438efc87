/// Every command of the CLI, in the order `drover --help` lists them (wrangler's layout).
enum Commands {
    /// The version `drover --version` prints.
    static let version = "0.1.0"

    /// The options every command that reads the config takes.
    static let configOptions: [OptionSpec] = [
        .value("config", "FILE", "The config file", default: "wrangler-like.toml"),
        .value("env", "NAME", "The config environment ([env.NAME])"),
        .value("persist-to", "DIR", "The state directory", default: ".drover/state beside the config"),
    ]

    static var all: [CommandSpec] {
        [DevCommand.spec, ConfigCommand.printSpec]
            + TriggersCommand.specs
            + SecretCommand.specs
            + KVCommand.specs
            + D1Command.specs
            + QueuesCommand.specs
            + [ReplayCommand.spec]
    }
}
