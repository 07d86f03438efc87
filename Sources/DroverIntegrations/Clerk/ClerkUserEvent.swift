import Drover

/// A Clerk user event as the webhook receiver queues it on `USER_SYNC` and the `user-sync`
/// consumer reads it back: `{"svixId", "type", "occurredAt", "data"}`, `data` being Clerk's user
/// object (`user.created`, `user.updated`) or `{"id", "deleted": true}` (`user.deleted`).
struct ClerkUserEvent: Sendable {
    /// The event types the app keeps `users` with.
    enum Kind: String, Sendable, CaseIterable {
        case created = "user.created"
        case updated = "user.updated"
        case deleted = "user.deleted"
    }

    /// `svix-id`: one per event, the same on each of Svix's retries.
    let svixID: String
    let kind: Kind
    /// When the event happened, in milliseconds since 1970: Clerk's `timestamp` (else the user's
    /// `updated_at`, else the `svix-timestamp`). An event older than the stored row's never
    /// overwrites it.
    let occurredAt: Int64
    let data: JSONValue

    /// The message body to queue.
    var json: JSONValue {
        ["svixId": .string(svixID), "type": .string(kind.rawValue), "occurredAt": .integer(occurredAt), "data": data]
    }

    init(svixID: String, kind: Kind, occurredAt: Int64, data: JSONValue) {
        self.svixID = svixID
        self.kind = kind
        self.occurredAt = occurredAt
        self.data = data
    }

    /// The event in a queued message's body.
    /// - Throws: ``ClerkEventError`` when the body is not an event this app queued.
    init(_ body: MessageBody) throws(ClerkEventError) {
        guard let json = body.json, let svixID = json["svixId"]?.stringValue, let name = json["type"]?.stringValue,
            let kind = Kind(rawValue: name), let occurredAt = json["occurredAt"]?.integerValue, let data = json["data"]
        else { throw ClerkEventError(description: "the message is not a queued Clerk user event") }
        self.init(svixID: svixID, kind: kind, occurredAt: occurredAt, data: data)
    }

    /// The user's fields in `data`.
    /// - Throws: ``ClerkEventError`` when `data` has no user id.
    func user() throws(ClerkEventError) -> ClerkUser {
        guard let id = data["id"]?.stringValue, !id.isEmpty, id.utf8.count <= 256 else {
            throw ClerkEventError(description: "\(kind.rawValue) event \(svixID): data.id is missing")
        }
        // The primary address, else the first one.
        let addresses = data["email_addresses"]?.arrayValue ?? []
        let primaryID = data["primary_email_address_id"]?.stringValue
        let primary = addresses.first { primaryID != nil && $0["id"]?.stringValue == primaryID } ?? addresses.first
        return ClerkUser(
            id: id, email: primary?["email_address"]?.stringValue, firstName: data["first_name"]?.stringValue,
            lastName: data["last_name"]?.stringValue)
    }
}

/// The fields of a Clerk user the app keeps.
struct ClerkUser: Sendable {
    let id: String
    let email: String?
    let firstName: String?
    let lastName: String?
}

/// A queued message that is not a usable Clerk event: retried, then dead-lettered.
struct ClerkEventError: Error, CustomStringConvertible {
    let description: String
}
