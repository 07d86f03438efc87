import Foundation
import Testing

@testable import Drover

/// Printing, interpolating or dumping `env` or a binding never shows a secret's value.
@Suite("Secrets never leak by accident")
struct SecretRedactionTests {
    static let secret = "sk_live_do-not-print-me"

    static func env() -> Env {
        var vars = Vars(["GREETING": "hello", "API_HOST": .string(secret)])
        vars.hiddenNames = ["API_HOST"]  // replaced by a .dev.vars value
        return Env(bindings: ["API_TOKEN": .secret(secret)], vars: vars, fetch: RefusingTestFetcher())
    }

    @Test("print, interpolation, String(reflecting:) and dump show names and kinds, not values")
    func everyWayOfPrinting() throws {
        let env = Self.env()
        var dumped = ""
        dump(env, to: &dumped)
        var dumpedBinding = ""
        dump(env.binding("API_TOKEN"), to: &dumpedBinding)
        let renderings = [
            "\(env)", String(describing: env), String(reflecting: env), dumped, dumpedBinding,
            "\(env.binding("API_TOKEN")!)", String(reflecting: env.binding("API_TOKEN")!), "\(env.vars)", String(reflecting: env.vars),
        ]
        for text in renderings {
            #expect(!text.contains(Self.secret), "\(text)")
        }
        #expect("\(env)".contains("API_TOKEN: secret (hidden)"))
        #expect("\(env.vars)".contains("GREETING: \"hello\"") && "\(env.vars)".contains("API_HOST: (hidden)"))
        // Reading it is as easy as before.
        #expect(try env.secret("API_TOKEN") == Self.secret)
        #expect(env.vars["API_HOST"] == Self.secret)
    }
}

private struct RefusingTestFetcher: Fetcher {
    func fetch(_ request: Request, timeout: Duration?) async throws -> Response {
        throw FetchError(kind: .connection, message: "no fetch in this test")
    }
}
