// The DroverD1 module. Its files land with the issues that build it.
