import Testing
@testable import DroverConfig
