import DroverConfig
import Foundation

/// `drover config print`: the resolved config, after environment inheritance.
enum ConfigCommand {
    static let printSpec = CommandSpec(
        path: ["config", "print"],
        summary: "Print the resolved config (after [env.NAME] inheritance)",
        options: Commands.configOptions + [.flag("json", "Print JSON instead of text")],
        run: { arguments, context in
            let project = try Project.load(arguments, context: context)
            context.print(arguments.flag("json") ? project.config.renderJSON() : project.config.renderText())
            return DroverCommandLine.success
        }
    )
}
