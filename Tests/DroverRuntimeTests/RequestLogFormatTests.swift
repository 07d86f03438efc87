import DroverRuntime
import Testing

@Suite struct RequestLogFormatTests {
    @Test(arguments: [
        (0.0, "0.00ms"), (0.000_042, "0.04ms"), (0.001_234, "1.23ms"), (0.009_994, "9.99ms"), (0.012_4, "12ms"),
        (0.999_4, "999ms"), (1.25, "1.3s"), (12.0, "12.0s"),
    ])
    func durationsAreFormattedForTheRequestLine(seconds: Double, expected: String) {
        #expect(WorkerHost.formatMilliseconds(seconds) == expected)
    }
}
