#!/usr/bin/env bash
# GET /api/me of the sample app with a valid Clerk session token (JWKS cached), beside GET /hello
# and beside `openssl speed rsa2048`'s verify rate on this machine (Benchmarks/README.md, "Clerk").
#
# The app runs with the local fakes beside it (as scripts/dev runs them): the Clerk fake mints the
# token and serves the JWKS, fetched once and then kept in CACHE and in memory. Same wrk settings
# for both routes; the server pinned to CPU 0, wrk to CPU 1.
# Needs: swift build -c release --static-swift-stdlib --product drover; wrk; openssl; taskset; curl.
set -euo pipefail
cd "$(dirname "$0")/../.."

. Benchmarks/serve.sh

echo "== openssl speed rsa2048 (verify is RS256's floor)"
openssl speed -seconds 3 rsa2048 2>/dev/null | tail -2 | tee "$work/openssl.txt"
verify=$(awk '/^rsa 2048/ { print $NF }' "$work/openssl.txt")

echo "== GET /hello (Benchmarks/hello.toml)"
start "$work/hello.log" --config Benchmarks/hello.toml --port 8080
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency http://127.0.0.1:8080/hello | tee "$work/hello.txt"
stop

echo "== GET /api/me with a valid session token"
# /api/me reads vars only (no secret): the top-level config serves as it is, its state in $work.
start "$work/me.log" -c wrangler-like.toml -c Examples/upstream-fakes/wrangler-like.toml --persist-to "$work/state" --port 8081
token=$(curl -s -X POST -H "Host: upstream-fakes.localhost:8081" http://127.0.0.1:8081/__fakes/clerk/token \
    -d '{"sub": "user_bench", "lifetime": 86400}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $token" http://127.0.0.1:8081/api/me)" = 200 ] || {
    echo "GET /api/me did not answer 200 with the minted token" >&2
    exit 1
}
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $token" http://127.0.0.1:8081/api/me | tee "$work/me.txt"
stop

hello=$(grep -oE 'Requests/sec: +[0-9.]+' "$work/hello.txt" | grep -oE '[0-9.]+$')
me=$(grep -oE 'Requests/sec: +[0-9.]+' "$work/me.txt" | grep -oE '[0-9.]+$')
echo "GET /api/me: $me req/s = $(awk -v a="$me" -v b="$hello" 'BEGIN { printf "%.2f", a / b }') x hello ($hello req/s)" \
    "= $(awk -v a="$me" -v b="$verify" 'BEGIN { printf "%.0f", 100 * a / b }') % of openssl's RSA-2048 verify rate ($verify/s)"
