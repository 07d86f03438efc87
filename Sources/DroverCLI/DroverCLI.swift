// The DroverCLI module. Its files land with the issues that build it.
