import Drover
import Foundation

extension KVEntryExpectation {
    /// Checks the stored value of the key.
    /// - Parameter stored: the value's bytes, or `nil` when the key holds nothing (or has expired).
    /// - Returns: the failure, or `nil` when the check holds.
    package func check(stored: [UInt8]?) -> CheckFailure? {
        guard let stored else {
            if check == .absent { return nil }
            return CheckFailure(path: path, message: "expected the key to exist, it is absent")
        }
        let text = String(decoding: stored, as: UTF8.self)
        switch check {
        case .absent:
            return CheckFailure(
                path: path.appending("absent"),
                message: "expected the key to be absent, it holds \(CheckFailure.shorten(quoted(text)))",
                actual: text
            )
        case .text(let expected):
            return expected == text ? nil : .mismatch(path.appending("value"), expected: quoted(expected), actual: quoted(text))
        case .bytes(let expected):
            return expected == stored
                ? nil
                : .mismatch(
                    path.appending("base64"),
                    expected: quoted(Data(expected).base64EncodedString()),
                    actual: quoted(Data(stored).base64EncodedString())
                )
        case .json(let expected), .jsonSubset(let expected):
            let key = check == .json(expected) ? "json" : "jsonSubset"
            guard let parsed = try? JSONParser.parse(stored) else {
                return CheckFailure(
                    path: path.appending(key),
                    message: "expected a JSON value, got \(CheckFailure.shorten(quoted(text)))",
                    expected: expected.description,
                    actual: text
                )
            }
            return JSONComparison.firstDifference(expected: expected, actual: parsed, subset: key == "jsonSubset", at: path.appending(key))
        }
    }
}
