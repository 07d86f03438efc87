/// A `route`/`routes` entry: a bare pattern string, or a table with `pattern`, `zone_name`, `zone_id`,
/// `custom_domain` (wrangler's route forms).
public struct RouteConfig: Sendable, Equatable {
    /// The URL pattern, e.g. `example.com/api/*`.
    public var pattern: String
    /// The zone by name, if given.
    public var zoneName: String?
    /// The zone by id, if given.
    public var zoneID: String?
    /// Whether the pattern is a custom domain.
    public var customDomain: Bool

    /// Creates a route.
    public init(pattern: String, zoneName: String? = nil, zoneID: String? = nil, customDomain: Bool = false) {
        self.pattern = pattern
        self.zoneName = zoneName
        self.zoneID = zoneID
        self.customDomain = customDomain
    }
}
