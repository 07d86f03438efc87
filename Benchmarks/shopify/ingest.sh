#!/usr/bin/env bash
# The sample app's Shopify figures on the release build (Benchmarks/README.md, "Shopify"):
#
# 1. GET /hello on the benchmark worker (Benchmarks/hello.toml), the reference;
# 2. signed-webhook ingest — POST /webhooks/shopify: verify, de-duplicate, durable enqueue — with
#    the app's config minus its shopify-events consumer, so the ingest is measured alone (as on the
#    platform, where the consumer runs in its own invocations);
# 3. the consumer's end-to-end rate: the full config started on the state ingest left behind, and
#    the queue drained into D1 in batches of 10, timed until every accepted webhook is processed.
#
# Same wrk settings for 1 and 2; the server pinned to CPU 0, wrk and the poller to CPU 1.
# Needs: swift build -c release --static-swift-stdlib --product drover; wrk; openssl; taskset.
set -euo pipefail
cd "$(dirname "$0")/../.."

. Benchmarks/serve.sh
SECRET=shpss_benchmark

# 200 order bodies, signed once.
for i in $(seq 1 200); do
    id=$((820982911946154000 + i))
    body="{\"id\":$id,\"email\":\"buyer$i@example.com\",\"total_price\":\"199.00\",\"currency\":\"USD\",\"financial_status\":\"paid\",\"updated_at\":\"2026-01-01T10:00:00-05:00\",\"line_items\":[{\"id\":$((id * 10)),\"sku\":\"SKU-$i\",\"quantity\":1,\"price\":\"199.00\"},{\"id\":$((id * 10 + 1)),\"sku\":\"SKU-X\",\"quantity\":2,\"price\":\"5.00\"}]}"
    signature=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$SECRET" -binary | base64)
    printf '%s\t%s\n' "$signature" "$body"
done >"$work/bodies.tsv"

# The app: its config without the dev wiring; a second copy without the shopify-events consumer.
mkdir -p "$work/app" "$work/ingest"
sed '/^# Dev wiring/,$d' wrangler-like.toml >"$work/app/wrangler-like.toml"
awk 'BEGIN { RS = ""; ORS = "\n\n" } !(/\[\[queues.consumers\]\]/ && /queue = "shopify-events"/)' \
    "$work/app/wrangler-like.toml" >"$work/ingest/wrangler-like.toml"
for dir in app ingest; do
    cp -r migrations "$work/$dir/"
    printf 'SHOPIFY_WEBHOOK_SECRET="%s"\nSHOPIFY_ACCESS_TOKEN="shpat_benchmark"\n' "$SECRET" >"$work/$dir/.dev.vars"
done

echo "== GET /hello (Benchmarks/hello.toml)"
start "$work/hello.log" --config Benchmarks/hello.toml --port 8080
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency http://127.0.0.1:8080/hello | tee "$work/hello.txt"
stop

echo "== POST /webhooks/shopify (verify, de-duplicate, durable enqueue; no consumer)"
start "$work/ingest.log" --config "$work/ingest/wrangler-like.toml" --persist-to "$work/state" --port 8081
taskset -c 1 wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency -s Benchmarks/shopify/webhooks.lua http://127.0.0.1:8081 \
    -- "$work/bodies.tsv" | tee "$work/webhooks.txt"
stop

requests=$(grep -oE '^ *[0-9]+ requests in' "$work/webhooks.txt" | grep -oE '[0-9]+')
refused=$(grep -oE 'Non-2xx or 3xx responses: [0-9]+' "$work/webhooks.txt" | grep -oE '[0-9]+$' || echo 0)
accepted=$((requests - refused))
hello=$(grep -oE 'Requests/sec: +[0-9.]+' "$work/hello.txt" | grep -oE '[0-9.]+$')
ingest=$(grep -oE 'Requests/sec: +[0-9.]+' "$work/webhooks.txt" | grep -oE '[0-9.]+$')
echo "ingest: $ingest webhooks/s = $(awk -v a="$ingest" -v b="$hello" 'BEGIN { printf "%.2f", a / b }') x hello ($hello req/s); $accepted accepted, $refused refused"

echo "== shopify-events consumer: $accepted queued webhooks into D1, batches of 10"
processed() {
    taskset -c 1 "$DROVER" d1 execute DB --config "$work/app/wrangler-like.toml" --persist-to "$work/state" --json \
        --command "SELECT count(*) AS n FROM webhook_log WHERE status = 'processed'" 2>/dev/null | grep -oE '"n": *[0-9]+' | grep -oE '[0-9]+$'
}
started=$(date +%s.%N)
start "$work/app.log" --config "$work/app/wrangler-like.toml" --persist-to "$work/state" --port 8082
while [ "$(processed)" -lt "$accepted" ]; do sleep 0.2; done
finished=$(date +%s.%N)
stop
orders=$(taskset -c 1 "$DROVER" d1 execute DB --config "$work/app/wrangler-like.toml" --persist-to "$work/state" --json \
    --command "SELECT count(*) AS n FROM orders" | grep -oE '"n": *[0-9]+' | grep -oE '[0-9]+$')
echo "consumer: $accepted webhooks processed in $(awk -v a="$started" -v b="$finished" 'BEGIN { printf "%.1f", b - a }') s (server start included) = $(awk -v n="$accepted" -v a="$started" -v b="$finished" 'BEGIN { printf "%.0f", n / (b - a) }') orders/s; $orders distinct orders stored"
