-- wrk script: posts signed Shopify webhooks to /webhooks/shopify (Benchmarks/README.md, "Shopify").
--
--   wrk -s Benchmarks/shopify/webhooks.lua http://127.0.0.1:8081 -- BODIES_FILE
--
-- BODIES_FILE holds one webhook per line, "<base64 HMAC-SHA256 of the body><TAB><body>", as
-- Benchmarks/shopify/ingest.sh writes it. Shopify signs the body only, so the bodies are signed
-- once, up front, and every request gets its own X-Shopify-Webhook-Id: none is a duplicate, and
-- each one is verified, de-duplicated against KV and queued durably.

local threads = {}

function setup(thread)
   thread:set("id", #threads + 1)
   table.insert(threads, thread)
end

local bodies = {}
local sent = 0
local prefix

function init(args)
   for line in io.lines(args[1]) do
      local signature, body = line:match("^([^\t]+)\t(.*)$")
      if signature then
         bodies[#bodies + 1] = { signature = signature, body = body }
      end
   end
   if #bodies == 0 then
      error("no signed bodies in " .. tostring(args[1]))
   end
   prefix = "bench-" .. os.time() .. "-" .. tostring(id)
end

function request()
   sent = sent + 1
   local entry = bodies[(sent % #bodies) + 1]
   return wrk.format("POST", "/webhooks/shopify", {
      ["Content-Type"] = "application/json",
      ["X-Shopify-Topic"] = "orders/create",
      ["X-Shopify-Webhook-Id"] = prefix .. "-" .. sent,
      ["X-Shopify-Hmac-Sha256"] = entry.signature,
   }, entry.body)
end
