/// A mutable table used while parsing, so that `[a.b.c]` can reopen a table deep in the tree without
/// copying value types. It records how the table came to exist, which the redefinition rules need
/// (TOML 1.0.0 §Table, §Keys "Dotted keys", §Array of Tables, §Inline Table).
final class TOMLTableNode {
    /// How a table came to exist.
    enum Origin {
        /// The document's root table.
        case root
        /// Created as a parent by a header such as `[a.b]` (for `a`); may still be defined once by `[a]`.
        case implicit
        /// Defined by a `[header]` or as an element of `[[array]]`; cannot be defined again.
        case header
        /// Created by a dotted key such as `a.b = 1`; only more dotted keys in the same table may extend it.
        case dotted
        /// An inline table `{ ... }`, frozen once closed.
        case inline
    }

    /// What a key in a table holds.
    enum Child {
        case table(TOMLTableNode)
        case tableArray(TOMLTableArrayNode)
        case value(TOMLValue)
    }

    var origin: Origin
    let depth: Int
    let position: TOMLPosition
    private var entries: [(key: String, child: Child, position: TOMLPosition)] = []
    private var index: [String: Int] = [:]

    init(origin: Origin, depth: Int, position: TOMLPosition) {
        self.origin = origin
        self.depth = depth
        self.position = position
    }

    subscript(key: String) -> Child? {
        guard let i = index[key] else { return nil }
        return entries[i].child
    }

    /// Adds a new key; the caller has checked it is absent.
    func add(_ key: String, _ child: Child, at position: TOMLPosition) {
        index[key] = entries.count
        entries.append((key, child, position))
    }

    /// Freezes the tree into values, reusing the key index. Recursion is bounded by ``TOMLParser/maximumDepth``.
    func makeTable() -> TOMLTable {
        let frozen = entries.map { entry -> TOMLTable.Entry in
            let value: TOMLValue
            switch entry.child {
            case .value(let v): value = v
            case .table(let node): value = TOMLValue(.table(node.makeTable()), position: node.position)
            case .tableArray(let array):
                value = TOMLValue(
                    .array(array.elements.map { TOMLValue(.table($0.makeTable()), position: $0.position) }),
                    position: array.position
                )
            }
            return TOMLTable.Entry(key: entry.key, value: value, keyPosition: entry.position)
        }
        return TOMLTable(entries: frozen, index: index)
    }
}

/// An array of tables (`[[name]]`) while parsing; each header appends an element.
final class TOMLTableArrayNode {
    var elements: [TOMLTableNode] = []
    let position: TOMLPosition

    init(position: TOMLPosition) {
        self.position = position
    }
}
