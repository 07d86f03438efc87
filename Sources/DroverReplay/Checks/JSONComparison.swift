import Drover

/// Compares an expected JSON value with an actual one and names the first difference by its path.
///
/// Exact mode is `json` equality; subset mode is the fixture format's `jsonSubset`: every key the
/// expectation lists must be present with an equal value, recursively, extra keys ignored; arrays
/// are compared element-wise and must be of equal length. Numbers compare by value (`1 == 1.0`).
package enum JSONComparison {
    /// The first difference, or `nil` when `actual` satisfies `expected`.
    /// - Parameters:
    ///   - path: where `expected` is in the fixture; the failure's path extends it.
    ///   - subset: `true` for `jsonSubset` semantics, `false` for exact equality.
    package static func firstDifference(
        expected: JSONValue,
        actual: JSONValue,
        subset: Bool,
        at path: JSONPath
    ) -> CheckFailure? {
        switch (expected, actual) {
        case (.object(let expectedObject), .object(let actualObject)):
            for (key, expectedMember) in expectedObject {
                guard let actualMember = actualObject[key] else {
                    return CheckFailure(
                        path: path.appending(key),
                        message: "expected \(CheckFailure.shorten(expectedMember.description)), got no such key",
                        expected: expectedMember.description,
                        actual: nil
                    )
                }
                if let failure = firstDifference(expected: expectedMember, actual: actualMember, subset: subset, at: path.appending(key)) {
                    return failure
                }
            }
            if !subset, let extra = actualObject.keys.first(where: { expectedObject[$0] == nil }) {
                return CheckFailure(
                    path: path,
                    message: "unexpected key \(quoted(extra)) with value \(CheckFailure.shorten(actualObject[extra]!.description))",
                    expected: expected.description,
                    actual: actual.description
                )
            }
            return nil
        case (.array(let expectedElements), .array(let actualElements)):
            guard expectedElements.count == actualElements.count else {
                return CheckFailure(
                    path: path,
                    message: "expected \(expectedElements.count) elements, got \(actualElements.count)",
                    expected: expected.description,
                    actual: actual.description
                )
            }
            for (index, pair) in zip(expectedElements, actualElements).enumerated() {
                if let failure = firstDifference(expected: pair.0, actual: pair.1, subset: subset, at: path.appending(index)) {
                    return failure
                }
            }
            return nil
        default:
            return expected == actual ? nil : .mismatch(path, expected: expected.description, actual: actual.description)
        }
    }

    /// Whether `actual` holds every key of `expected` with equal values (the fixture format's `jsonSubset`, Docs/fixtures.md).
    package static func isSubset(_ expected: JSONValue, of actual: JSONValue) -> Bool {
        firstDifference(expected: expected, actual: actual, subset: true, at: .root) == nil
    }
}
