import Foundation
import Synchronization

/// What happens to one message of a batch.
public enum MessageDecision: Sendable, Hashable {
    case ack
    case retry(delaySeconds: Int?)
}
