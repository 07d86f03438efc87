import Drover

/// What a Shopify payload must hold for the consumer to store it; a payload without it is a
/// poison message (retried, then dead-lettered), never half-stored.
struct ShopifyPayloadError: Error, CustomStringConvertible {
    /// The topic whose payload it was.
    let topic: ShopifyTopic
    /// Each missing or malformed field, such as `line_items[2].id: missing`.
    let problems: [String]

    var description: String { "\(topic.rawValue) payload: \(problems.joined(separator: "; "))" }
}

/// Reads fields of a payload and notes each one missing or malformed, so that one pass reports
/// them all.
struct PayloadReader {
    private(set) var problems: [String] = []

    /// Notes a problem found outside the readers below.
    mutating func note(_ problem: String) { problems.append(problem) }

    /// A required integer id (Shopify's ids are JSON numbers).
    mutating func id(_ object: JSONValue, _ key: String, at path: String = "") -> Int64 {
        guard let value = object[key], !value.isNull else {
            problems.append("\(path)\(key): missing")
            return 0
        }
        guard let id = value.integerValue, id > 0 else {
            problems.append("\(path)\(key): not a positive integer")
            return 0
        }
        return id
    }

    /// A required timestamp (``ShopifyTimestamp``).
    mutating func timestamp(_ object: JSONValue, _ key: String, at path: String = "") -> String {
        guard let text = object[key]?.stringValue else {
            problems.append("\(path)\(key): missing")
            return ""
        }
        guard ShopifyTimestamp.isValid(text) else {
            problems.append("\(path)\(key): not an ISO 8601 timestamp with an offset")
            return ""
        }
        return text
    }

    /// An optional text field; a number is kept as its JSON text (Shopify sends prices as strings,
    /// `"199.00"`, which must not become the double 199.0).
    mutating func text(_ object: JSONValue, _ key: String, at path: String = "") -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let number? where number.integerValue != nil || number.doubleValue != nil: return JSONSerializer.string(number)
        case let other?:
            problems.append("\(path)\(key): expected text, got \(other.kindName)")
            return nil
        }
    }

    /// An optional integer field.
    mutating func integer(_ object: JSONValue, _ key: String, at path: String = "") -> Int64? {
        switch object[key] {
        case nil, .null?: return nil
        case let value?:
            guard let integer = value.integerValue else {
                problems.append("\(path)\(key): expected an integer, got \(value.kindName)")
                return nil
            }
            return integer
        }
    }
}

/// An order of `orders/create`, `orders/updated` or the order pull.
struct ShopifyOrder: Sendable {
    struct LineItem: Sendable {
        let id: Int64
        let sku: String?
        let quantity: Int64?
        let price: String?
    }

    let id: Int64
    let email: String?
    let totalPrice: String?
    let currency: String?
    let financialStatus: String?
    let updatedAt: String
    let lineItems: [LineItem]

    /// The order in `payload`.
    /// - Throws: ``ShopifyPayloadError`` listing every missing or malformed field.
    init(_ payload: JSONValue, topic: ShopifyTopic) throws(ShopifyPayloadError) {
        var reader = PayloadReader()
        id = reader.id(payload, "id")
        email = reader.text(payload, "email")
        totalPrice = reader.text(payload, "total_price")
        currency = reader.text(payload, "currency")
        financialStatus = reader.text(payload, "financial_status")
        updatedAt = reader.timestamp(payload, "updated_at")
        var items: [LineItem] = []
        switch payload["line_items"] {
        case nil, .null?:
            break
        case .array(let elements)?:
            for (index, element) in elements.enumerated() {
                let path = "line_items[\(index)]."
                items.append(
                    LineItem(
                        id: reader.id(element, "id", at: path), sku: reader.text(element, "sku", at: path),
                        quantity: reader.integer(element, "quantity", at: path), price: reader.text(element, "price", at: path)))
            }
        case let other?:
            reader.note("line_items: expected an array, got \(other.kindName)")
        }
        lineItems = items
        guard reader.problems.isEmpty else { throw ShopifyPayloadError(topic: topic, problems: reader.problems) }
    }
}

/// A customer of `customers/create` or `customers/update`.
struct ShopifyCustomer: Sendable {
    let id: Int64
    let email: String?
    let firstName: String?
    let lastName: String?
    let updatedAt: String

    /// The customer in `payload`.
    /// - Throws: ``ShopifyPayloadError`` listing every missing or malformed field.
    init(_ payload: JSONValue, topic: ShopifyTopic) throws(ShopifyPayloadError) {
        var reader = PayloadReader()
        id = reader.id(payload, "id")
        email = reader.text(payload, "email").flatMap { $0.isEmpty ? nil : $0 }
        firstName = reader.text(payload, "first_name")
        lastName = reader.text(payload, "last_name")
        updatedAt = reader.timestamp(payload, "updated_at")
        guard reader.problems.isEmpty else { throw ShopifyPayloadError(topic: topic, problems: reader.problems) }
    }
}

/// A product of `products/create` or `products/update`.
struct ShopifyProduct: Sendable {
    let id: Int64
    let title: String?
    let handle: String?
    let status: String?
    let updatedAt: String

    /// The product in `payload`.
    /// - Throws: ``ShopifyPayloadError`` listing every missing or malformed field.
    init(_ payload: JSONValue, topic: ShopifyTopic) throws(ShopifyPayloadError) {
        var reader = PayloadReader()
        id = reader.id(payload, "id")
        title = reader.text(payload, "title")
        handle = reader.text(payload, "handle")
        status = reader.text(payload, "status")
        updatedAt = reader.timestamp(payload, "updated_at")
        guard reader.problems.isEmpty else { throw ShopifyPayloadError(topic: topic, problems: reader.problems) }
    }
}

/// An inventory level of `inventory_levels/update`: one item at one location.
struct ShopifyInventoryLevel: Sendable {
    let inventoryItemID: Int64
    let locationID: Int64
    let available: Int64?
    let updatedAt: String

    /// The level in `payload`.
    /// - Throws: ``ShopifyPayloadError`` listing every missing or malformed field.
    init(_ payload: JSONValue, topic: ShopifyTopic) throws(ShopifyPayloadError) {
        var reader = PayloadReader()
        inventoryItemID = reader.id(payload, "inventory_item_id")
        locationID = reader.id(payload, "location_id")
        available = reader.integer(payload, "available")
        updatedAt = reader.timestamp(payload, "updated_at")
        guard reader.problems.isEmpty else { throw ShopifyPayloadError(topic: topic, problems: reader.problems) }
    }
}
