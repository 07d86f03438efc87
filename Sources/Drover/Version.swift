public enum DroverVersion { public static let string = "0.1.0" }
