import Drover
import DroverConfig
import DroverD1
import DroverKV
import DroverQueues
import DroverRuntime
import Foundation

/// A step that could not be carried out at all (a binding the config lacks, a broken deploy config).
struct ReplayStepError: Error {
    var path: String
    var message: String
}
