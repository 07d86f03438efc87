/// Why a body could not be read.
public enum BodyError: Error, Sendable, Equatable {
    /// The body is longer than the limit given to ``Body/bytes(limit:)``.
    case tooLarge(limit: Int)
}
