// DroverIntegrationKit: the integration patterns a worker needs to talk to other systems —
// webhook signatures, JWT and JWKS, retries, circuit breakers, rate limits, idempotency, timeouts
// and bulkheads, adapters and their metrics — written against `Drover` alone (this module
// imports nothing else), so a worker built on it ports to an edge platform.
//
// Cross-request state (breaker state, bucket levels, idempotency records and locks, the JWKS)
// lives in a KV binding, never in a worker's memory; time is read and waited on through
// `env.clock` only. See Docs/integration-kit.md.
