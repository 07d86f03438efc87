import Drover

/// The path of a value inside a fixture, written the way error messages show it:
/// `steps[2].expect.status`, `given.kv.SESSIONS[0].value`, `expect.kv.SESSIONS["a b"]`.
package struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// One step into a document.
    package enum Component: Sendable, Hashable {
        /// An object member.
        case key(String)
        /// An array element (0-based).
        case index(Int)
    }

    /// The steps from the document's root.
    package var components: [Component]

    /// The root of the document (an empty path).
    package static let root = JSONPath(components: [])

    /// Creates a path of `components`.
    package init(components: [Component]) {
        self.components = components
    }

    /// A path of one key.
    package init(_ key: String) {
        self.components = [.key(key)]
    }

    /// This path followed by the member `key`.
    package func appending(_ key: String) -> JSONPath {
        JSONPath(components: components + [.key(key)])
    }

    /// This path followed by the element `index`.
    package func appending(_ index: Int) -> JSONPath {
        JSONPath(components: components + [.index(index)])
    }

    /// This path followed by `other`'s components.
    package func appending(_ other: JSONPath) -> JSONPath {
        JSONPath(components: components + other.components)
    }

    /// Whether this is the root.
    package var isRoot: Bool { components.isEmpty }

    /// The dotted form. Keys made of letters, digits and `_ - $ : @` print bare; others are quoted
    /// as JSON strings in brackets, so a key with a dot cannot be mistaken for two keys.
    package var description: String {
        var text = ""
        for component in components {
            switch component {
            case .index(let index):
                text += "[\(index)]"
            case .key(let key):
                if Self.isBare(key) {
                    if !text.isEmpty { text += "." }
                    text += key
                } else {
                    text += "[" + JSONSerializer.string(.string(key)) + "]"
                }
            }
        }
        return text
    }

    private static func isBare(_ key: String) -> Bool {
        guard !key.isEmpty else { return false }
        return key.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "$"),
                UInt8(ascii: ":"), UInt8(ascii: "@"):
                true
            default: false
            }
        }
    }
}
