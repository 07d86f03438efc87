/// The routes of a ``Router`` as a trie of path segments, matched without regular expressions.
///
/// At each segment a literal child is tried first, then the `:param` child, then a `*` ending at
/// this node; a branch that leads nowhere is backtracked, so `/users/me` (literal) beats
/// `/users/:id`, which beats `/users/*`, and the first route that both matches the path and
/// accepts the method wins.
struct RouteTree: Sendable {
    /// One handler registered under a method (or under every method).
    struct Endpoint: Sendable {
        let handler: Router.Handler
        /// The capture names, in the order the captures are made (`:name`s, then `*`).
        let captureNames: [String]
    }

    /// The endpoints of one node: by method, plus one for any method (``Router/all(_:_:)``).
    struct Endpoints: Sendable {
        var byMethod: [String: Endpoint] = [:]
        var anyMethod: Endpoint?

        /// The endpoint for `method`: its own, then GET's for HEAD (RFC 9110 §9.3.2: HEAD is GET
        /// without content), then the any-method one.
        func endpoint(for method: String) -> Endpoint? {
            if let endpoint = byMethod[method] { return endpoint }
            if method == "HEAD", let endpoint = byMethod["GET"] { return endpoint }
            return anyMethod
        }

        /// Adds `endpoint`; the first registration of a method wins, as in Hono.
        mutating func add(_ method: String?, _ endpoint: Endpoint) {
            if let method {
                if byMethod[method] == nil { byMethod[method] = endpoint }
            } else if anyMethod == nil {
                anyMethod = endpoint
            }
        }
    }

    /// A node: the routes ending here, the routes whose `*` starts here, and the children.
    struct Node: Sendable {
        var literals: [String: Node] = [:]
        /// The `:param` child: zero or one element (an array gives the recursive struct its box).
        var parameter: [Node] = []
        var endpoints: Endpoints?
        var wildcard: Endpoints?
    }

    /// A successful match.
    struct Match {
        let endpoint: Endpoint
        /// The captured segments in order, still percent-encoded; the wildcard's rest last.
        let captures: [Substring]
    }

    private var root = Node()

    /// Adds a route. `method` `nil` means any method.
    mutating func insert(_ method: String?, _ pattern: RoutePattern, _ handler: @escaping Router.Handler) {
        let endpoint = Endpoint(handler: handler, captureNames: pattern.captureNames)
        Self.insert(into: &root, pattern.segments[...], method, endpoint)
    }

    private static func insert(
        into node: inout Node,
        _ segments: ArraySlice<RoutePattern.Segment>,
        _ method: String?,
        _ endpoint: Endpoint
    ) {
        guard let first = segments.first else {
            node.endpoints = node.endpoints ?? Endpoints()
            node.endpoints!.add(method, endpoint)
            return
        }
        switch first {
        case .literal(let text):
            insert(into: &node.literals[text, default: Node()], segments.dropFirst(), method, endpoint)
        case .parameter:
            if node.parameter.isEmpty { node.parameter.append(Node()) }
            insert(into: &node.parameter[0], segments.dropFirst(), method, endpoint)
        case .wildcard:
            node.wildcard = node.wildcard ?? Endpoints()
            node.wildcard!.add(method, endpoint)
        }
    }

    /// The best route for `method` and `path` (the path part of the target, starting with `/`).
    func match(_ method: String, path: Substring) -> Match? {
        var captures: [Substring] = []
        guard let endpoint = Self.find(root, path, PathSegments.start(of: path), method, &captures) else { return nil }
        return Match(endpoint: endpoint, captures: captures)
    }

    private static func find(
        _ node: Node,
        _ path: Substring,
        _ position: Substring.Index?,
        _ method: String,
        _ captures: inout [Substring]
    ) -> Endpoint? {
        guard let position else {
            if let endpoint = node.endpoints?.endpoint(for: method) { return endpoint }
            if let endpoint = node.wildcard?.endpoint(for: method) {
                captures.append(path[path.endIndex...])
                return endpoint
            }
            return nil
        }
        let (segment, next) = PathSegments.segment(in: path, at: position)
        if !node.literals.isEmpty, let child = node.literals[PathSegments.key(segment)],
            let endpoint = find(child, path, next, method, &captures)
        {
            return endpoint
        }
        if !segment.isEmpty, let child = node.parameter.first {
            captures.append(segment)
            if let endpoint = find(child, path, next, method, &captures) { return endpoint }
            captures.removeLast()
        }
        if let endpoint = node.wildcard?.endpoint(for: method) {
            captures.append(path[position...])
            return endpoint
        }
        return nil
    }

    /// Every method some route accepts for `path`, whatever the request's method: the `Allow`
    /// header of a 405 (RFC 9110 §10.2.1). Empty when no route matches the path. `HEAD` is listed
    /// beside `GET`, since GET routes answer it.
    func allowedMethods(path: Substring) -> [String] {
        var methods: Set<String> = []
        Self.collect(root, path, PathSegments.start(of: path), into: &methods)
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted()
    }

    private static func collect(_ node: Node, _ path: Substring, _ position: Substring.Index?, into methods: inout Set<String>) {
        if let wildcard = node.wildcard { methods.formUnion(wildcard.byMethod.keys) }
        guard let position else {
            if let endpoints = node.endpoints { methods.formUnion(endpoints.byMethod.keys) }
            return
        }
        let (segment, next) = PathSegments.segment(in: path, at: position)
        if let child = node.literals[PathSegments.key(segment)] { collect(child, path, next, into: &methods) }
        if !segment.isEmpty, let child = node.parameter.first { collect(child, path, next, into: &methods) }
    }
}
