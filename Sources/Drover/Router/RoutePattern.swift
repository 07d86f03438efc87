/// A route pattern compiled once, at registration, into segments (`/users/:id/*`).
///
/// A pattern and a request path are split the same way (``PathSegments``): `/` is no segment,
/// `/a` is `["a"]`, `/a/` is `["a", ""]`. So `/a/` and `/a` are different routes (Hono's strict
/// default). A literal segment is stored percent-decoded, since request segments are compared
/// decoded too.
struct RoutePattern: Sendable, Equatable {
    /// One segment of a pattern.
    enum Segment: Sendable, Equatable {
        /// A literal segment, percent-decoded.
        case literal(String)
        /// `:name`: exactly one non-empty segment.
        case parameter(String)
        /// `*`, last only: the rest of the path, possibly empty.
        case wildcard
    }

    /// The segments, in order.
    let segments: [Segment]

    /// The names of the `:name` segments in order, then `*` when the pattern ends with a wildcard.
    var captureNames: [String] {
        segments.compactMap { segment in
            switch segment {
            case .literal: nil
            case .parameter(let name): name
            case .wildcard: "*"
            }
        }
    }

    /// Compiles `pattern`. A pattern without a leading `/` gets one.
    ///
    /// Registering routes is the program's own code, not input, so a malformed pattern stops the
    /// program at start-up with a message saying what is wrong (as `Dictionary(uniqueKeysWithValues:)`
    /// does for duplicate keys), instead of silently never matching.
    init(_ pattern: String) {
        let normalized = pattern.hasPrefix("/") ? pattern : "/" + pattern
        var segments: [Segment] = []
        var position = PathSegments.start(of: normalized[...])
        while let start = position {
            let (segment, next) = PathSegments.segment(in: normalized[...], at: start)
            if segment == "*" {
                precondition(next == nil, "Router pattern \"\(pattern)\": `*` must be the last segment")
                segments.append(.wildcard)
            } else if segment.first == ":" {
                let name = String(segment.dropFirst())
                precondition(!name.isEmpty, "Router pattern \"\(pattern)\": a `:` segment needs a name, as in `:id`")
                segments.append(.parameter(name))
            } else {
                segments.append(.literal(PathSegments.key(segment)))
            }
            position = next
        }
        self.segments = segments
    }

    /// `prefix`'s segments followed by these (for ``Router/mount(_:_:)``).
    func prefixed(by prefix: RoutePattern) -> RoutePattern {
        RoutePattern(segments: prefix.segments + segments)
    }

    private init(segments: [Segment]) {
        self.segments = segments
    }
}

/// Splitting a path into `/`-separated segments without allocating: positions into the path's
/// own storage, one segment at a time.
enum PathSegments {
    /// Where the first segment starts, or `nil` for `/` (no segments). `path` starts with `/`.
    static func start(of path: Substring) -> Substring.Index? {
        let utf8 = path.utf8
        guard let first = utf8.first else { return nil }
        var index = utf8.startIndex
        if first == UInt8(ascii: "/") { index = utf8.index(after: index) }
        // `/` alone is the root: no segment. Anything else has at least one (possibly empty).
        if index == utf8.endIndex && first == UInt8(ascii: "/") { return nil }
        return index
    }

    /// The segment starting at `start`, and where the next one starts (`nil` after the last).
    static func segment(in path: Substring, at start: Substring.Index) -> (Substring, next: Substring.Index?) {
        let utf8 = path.utf8
        var index = start
        while index < utf8.endIndex && utf8[index] != UInt8(ascii: "/") {
            index = utf8.index(after: index)
        }
        let segment = path[start..<index]
        if index == utf8.endIndex { return (segment, nil) }
        return (segment, utf8.index(after: index))
    }

    /// The form a segment is compared in: percent-decoded when it has a `%`, as it is otherwise.
    static func key(_ segment: Substring) -> String {
        for byte in segment.utf8 where byte == UInt8(ascii: "%") {
            return PercentEncoding.decode(segment)
        }
        return String(segment)
    }
}
