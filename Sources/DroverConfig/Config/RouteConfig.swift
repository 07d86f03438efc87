/// A `route`/`routes` entry: a bare pattern string, or a table with `pattern`, `zone_name`, `zone_id`,
/// `custom_domain` (wrangler's route forms).
package struct RouteConfig: Sendable, Equatable {
    /// The URL pattern, e.g. `example.com/api/*`.
    package var pattern: String
    /// The zone by name, if given.
    package var zoneName: String?
    /// The zone by id, if given.
    package var zoneID: String?
    /// Whether the pattern is a custom domain.
    package var customDomain: Bool

    /// Creates a route.
    package init(pattern: String, zoneName: String? = nil, zoneID: String? = nil, customDomain: Bool = false) {
        self.pattern = pattern
        self.zoneName = zoneName
        self.zoneID = zoneID
        self.customDomain = customDomain
    }
}
