import DroverTestSupport
import Foundation
import Testing

@testable import DroverConfig


@Suite("TOML random input")
struct TOMLRandomInputTests {
    /// Mutations of every corpus file plus random bytes: the parser must return a table or a positioned
    /// error, never crash. A crash fails the whole test process.
    @Test("thousands of mutated and random inputs never crash")
    func mutations() throws {
        var rng = SplitMix64(seed: 0x00D0_C0FF_EE15_600D)
        let seeds = try TOMLTestCorpus.cases().map(TOMLTestCorpus.bytes)
        let tokens: [[UInt8]] = [
            "[", "]", "[[", "]]", "{", "}", "=", ".", ",", "\"", "'", "\"\"\"", "'''", "\\", "\\u",
            "\n", "\r", "#", " ", "1979-05-27T", "0x", "e", "_", "inf", "\u{FEFF}", "é",
        ].map { Array($0.utf8) }
        var accepted = 0
        var rejected = 0
        for round in 0..<4000 {
            var input: [UInt8]
            if round % 5 == 4 {
                input = (0..<Int.random(in: 0..<200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                input = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    let at = input.isEmpty ? 0 : Int.random(in: 0...input.count, using: &rng)
                    switch Int.random(in: 0..<4, using: &rng) {
                    case 0 where at < input.count: input[at] = UInt8.random(in: 0...255, using: &rng)
                    case 1 where at < input.count: input.remove(at: at)
                    case 2: input.insert(contentsOf: tokens[Int.random(in: 0..<tokens.count, using: &rng)], at: at)
                    default:
                        let other = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
                        input.insert(contentsOf: other.prefix(40), at: at)
                    }
                }
            }
            do {
                let table = try TOMLParser.parse(input, fileName: "fuzz")
                _ = TOMLTaggedJSON.encode(table)
                accepted += 1
            } catch {
                #expect(error.line >= 1 && error.column >= 1)
                #expect(!error.description.contains("\n"))
                rejected += 1
            }
            // The config layer and the dotenv parser see the same bytes: a value or a positioned error.
            do {
                _ = try ConfigLoader.decode(input, configPath: "/fuzz/wrangler-like.toml", environment: "staging").config.renderJSON()
            } catch {
                #expect(!error.description.contains("\n"))
            }
            do {
                _ = try DevVars.parse(input, file: ".dev.vars")
            } catch {
                #expect(error.line != nil && error.column != nil && !error.description.contains("\n"))
            }
        }
        print("TOML random input: \(accepted) accepted, \(rejected) rejected")
        #expect(accepted + rejected == 4000)
        #expect(rejected > 0)
    }
}
