/// Every command of the CLI, in the order `drover --help` lists them (wrangler's layout).
enum Commands {
    /// The version `drover --version` prints.
    static let version = "0.1.0"

    /// The options every command that reads the config takes: wrangler's names and letters for them
    /// (https://developers.cloudflare.com/workers/wrangler/commands/#global-flags), so a wrangler
    /// command line works after its first word is changed.
    static let configOptions: [OptionSpec] = [
        .value("config", short: "c", "FILE", "The config file", default: "wrangler-like.toml"),
        .value("env", short: "e", "NAME", "The config environment ([env.NAME])"),
        .value("persist-to", "DIR", "The state directory", default: ".drover/state beside the config"),
        .flag("local", "Use the local state (always so: accepted as wrangler takes it)"),
        .flag("remote", "Not available: Drover has no remote; it says so and stops"),
        .flag("yes", short: "y", "Answer yes to any question (only d1 migrations apply asks)"),
    ]

    /// `--remote` asks for the platform's resources, which Drover does not reach.
    static let noRemote = CLIError(
        "--remote: Drover has no remote. Every command works on the local state under --persist-to "
            + "(.drover/state beside the config); use wrangler for the resources on Cloudflare."
    )

    static var all: [CommandSpec] {
        [DevCommand.spec, ConfigCommand.printSpec]
            + DeployCommand.specs
            + [TailCommand.spec]
            + TriggersCommand.specs
            + SecretCommand.specs
            + KVCommand.specs
            + D1Command.specs
            + QueuesCommand.specs
            + DurableObjectsCommand.specs
            + [ReplayCommand.spec]
    }
}
