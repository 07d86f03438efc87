import Drover
import Foundation
import Testing

@testable import DroverConfig

/// `.dev.vars` and `.env`: which files are read, in what order, and how their values meet `[vars]`
/// (https://developers.cloudflare.com/workers/local-development/environment-variables/).
@Suite("Local values: .dev.vars, .env and [vars]")
struct LocalValuesTests {
    static let config = """
        name = "shop"
        [vars]
        API_HOST = "api.example.com"
        PAGE_SIZE = 50
        [env.staging]
        [env.staging.vars]
        API_HOST = "staging.example.com"
        """

    private func project(_ files: [String: String]) throws -> (TemporaryDirectory, String) {
        let dir = try TemporaryDirectory()
        let configPath = dir.path + "/wrangler-like.toml"
        try Self.config.write(toFile: configPath, atomically: true, encoding: .utf8)
        for (name, text) in files { try text.write(toFile: dir.path + "/" + name, atomically: true, encoding: .utf8) }
        return (dir, configPath)
    }

    @Test("a .dev.vars value replaces the var of the same name; other vars keep the config's values")
    func devVarsReplaceVars() throws {
        let (dir, path) = try project([".dev.vars": "API_HOST=localhost:3000\nTOKEN=t-1\n"])
        _ = dir
        let config = try ConfigLoader.load(configPath: path).config
        let vars = config.effectiveVars(localValues: config.devVars.mapValues { $0.reveal() })
        #expect(vars["API_HOST"] == .string("localhost:3000"))
        #expect(vars["PAGE_SIZE"] == .integer(50))
        #expect(vars["TOKEN"] == nil, "a .dev.vars entry that names no var stays a secret only")
        #expect(config.secrets["TOKEN"]?.reveal() == "t-1")
        // Shown hidden, as a secret is, wherever the config is printed.
        #expect(!config.renderText().contains("localhost:3000") && !config.renderJSON().contains("localhost:3000"))
        #expect(config.renderText().contains("API_HOST  var  (hidden: replaced by .dev.vars)"))
    }

    @Test("overrides (--var, a fixture's vars) win over .dev.vars")
    func overridesWin() throws {
        let (dir, path) = try project([".dev.vars": "API_HOST=from-dev-vars\n"])
        _ = dir
        let config = try ConfigLoader.load(configPath: path).config
        let vars = config.effectiveVars(localValues: ["API_HOST": "from-dev-vars"], overrides: ["API_HOST": "from-flag", "NEW": "n"])
        #expect(vars["API_HOST"] == .string("from-flag"))
        #expect(vars["NEW"] == .string("n"))
    }

    @Test("without .dev.vars the .env files are read, merged, the most specific winning")
    func dotEnvFallback() throws {
        let (dir, path) = try project([
            ".env": "A=env\nB=env\nC=env\nD=env\n",
            ".env.staging": "B=env.staging\nC=env.staging\nD=env.staging\n",
            ".env.local": "C=env.local\nD=env.local\n",
            ".env.staging.local": "D=env.staging.local\n",
        ])
        let staging = try ConfigLoader.load(configPath: path, environment: "staging").config
        #expect(staging.devVars.mapValues { $0.reveal() } == ["A": "env", "B": "env.staging", "C": "env.local", "D": "env.staging.local"])
        #expect(staging.devVarsPaths.map { ($0 as NSString).lastPathComponent } == [".env", ".env.staging", ".env.local", ".env.staging.local"])
        let top = try ConfigLoader.load(configPath: path).config
        #expect(top.devVars.mapValues { $0.reveal() } == ["A": "env", "B": "env", "C": "env.local", "D": "env.local"])
        _ = dir
    }

    @Test("a .dev.vars file, or .dev.vars.<env>, means the .env files are not read at all")
    func devVarsExcludeDotEnv() throws {
        let (dir, path) = try project([".env": "A=env\nB=env\n", ".dev.vars": "A=dev\n", ".dev.vars.staging": "B=dev-staging\n"])
        _ = dir
        #expect(try ConfigLoader.load(configPath: path).config.devVars.mapValues { $0.reveal() } == ["A": "dev"])
        #expect(try ConfigLoader.load(configPath: path, environment: "staging").config.devVars.mapValues { $0.reveal() } == ["B": "dev-staging"])
    }

    @Test("CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV=false turns the .env files off")
    func dotEnvSwitchedOff() throws {
        let (dir, _) = try project([".env": "A=env\n"])
        #expect(DevVars.files(configDirectory: dir.path, environment: nil, processEnvironment: ["CLOUDFLARE_LOAD_DEV_VARS_FROM_DOT_ENV": "false"]).isEmpty)
        #expect(DevVars.files(configDirectory: dir.path, environment: nil, processEnvironment: [:]) == [dir.path + "/.env"])
    }

    @Test("a malformed .env file is an error naming it, its line and column")
    func malformedDotEnv() throws {
        let (dir, path) = try project([".env": "GOOD=1\nBAD LINE\n"])
        _ = dir
        let error = try #require(throws: ConfigError.self) { try ConfigLoader.load(configPath: path) }
        #expect(error.description.hasPrefix(dir.path + "/.env:2:"))
    }
}
