/// The dashboard's stylesheet and its one hand-written script, served from the binary: no build
/// step, no third-party code.
enum ExplorerAssets {
    static let stylesheet = """
        body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d1d1f; background: #fafafa; }
        header { background: #1d2733; color: #fff; padding: 8px 16px; }
        header nav { display: inline; margin-left: 16px; }
        header a { color: #cfe3ff; margin-right: 10px; text-decoration: none; }
        main { padding: 8px 16px 32px; max-width: 1200px; }
        table { border-collapse: collapse; margin: 8px 0; background: #fff; }
        th, td { border: 1px solid #ddd; padding: 4px 8px; text-align: left; vertical-align: top; }
        th { background: #f0f2f5; }
        code, pre { font: 12px ui-monospace, monospace; }
        pre { background: #fff; border: 1px solid #ddd; padding: 8px; overflow: auto; }
        ins { background: #e6ffec; text-decoration: none; } del { background: #ffebe9; text-decoration: none; }
        form { margin: 8px 0; } form.inline { display: inline; }
        label { display: block; margin: 4px 0; } form.inline label { display: inline; }
        textarea { width: 100%; max-width: 640px; display: block; }
        button { margin: 4px 4px 4px 0; } button.danger { color: #fff; background: #b42318; border: 0; padding: 4px 10px; }
        dl.facts { display: grid; grid-template-columns: max-content auto; gap: 2px 16px; }
        dl.facts dt { font-weight: 600; }
        .note { color: #555; } .error { color: #b42318; }
        #status:not(:empty) { padding: 6px 10px; background: #eef6ff; border: 1px solid #b6d4fe; }
        #status.error { background: #ffebe9; border-color: #f5a9a3; }
        ol#tail { font: 12px ui-monospace, monospace; }
        ol#tail li.error { color: #b42318; }
        rect.bar { fill: #4f7cac; } rect.c3 { fill: #b42318; } rect.c2 { fill: #d98e04; }
        svg text { font-size: 11px; }
        """

    static let script = #"""
        // Drover's local dashboard: form actions through the API (with the session's token), TTL
        // countdowns, the live tail and the request-rate chart. The pages work without it for reading.
        "use strict";
        const token = document.querySelector('meta[name="drover-explorer-token"]').content;
        const base = document.querySelector('meta[name="drover-explorer-base"]').content;
        const status = document.getElementById("status");

        function say(text, isError) {
          status.textContent = text;
          status.className = isError ? "error" : "";
        }

        function field(form, name) {
          const element = form.elements.namedItem(name);
          return element ? element.value : "";
        }

        function jsonOrText(text) {
          try { return { body: JSON.parse(text), content_type: "json" }; } catch (e) { return { body: text, content_type: "text" }; }
        }

        function request(form) {
          const kind = form.dataset.body || "";
          let url = base + form.dataset.api.replace(/\{(\w+)\}/g, (_, name) => encodeURIComponent(field(form, name)));
          const query = (form.dataset.query || "").split(",").filter((name) => name && field(form, name) !== "");
          if (query.length) url += "?" + query.map((name) => name + "=" + encodeURIComponent(field(form, name))).join("&");
          let body = null;
          if (kind === "value") body = field(form, "value");
          else if (kind.startsWith("raw:")) body = field(form, kind.slice(4));
          else if (kind === "sql") body = JSON.stringify({ sql: field(form, "sql") });
          else if (kind === "message") {
            const message = jsonOrText(field(form, "body"));
            const delay = field(form, "delay_seconds");
            if (delay !== "") message.delay_seconds = Number(delay);
            body = JSON.stringify(message);
          } else if (kind === "edited") body = JSON.stringify(jsonOrText(field(form, "body")));
          else if (kind.startsWith("pause:")) body = JSON.stringify({ settings: { delivery_paused: kind.slice(6) === "true" } });
          else if (kind.startsWith("cron:")) body = JSON.stringify({ cron: kind.slice(5) });
          else if (kind.startsWith("version:")) body = JSON.stringify({ version: Number(kind.slice(8)) });
          return fetch(url, { method: form.dataset.method || "POST", headers: { "X-Drover-Explorer-Token": token }, body: body });
        }

        function renderResults(result) {
          const target = document.getElementById("results");
          target.replaceChildren();
          for (const statement of result) {
            const table = document.createElement("table");
            const head = table.createTHead().insertRow();
            for (const column of statement.results.columns) head.insertCell().outerHTML = "<th></th>";
            statement.results.columns.forEach((column, index) => { head.cells[index].textContent = column; });
            const body = table.createTBody();
            for (const row of statement.results.rows) {
              const tr = body.insertRow();
              for (const value of row) tr.insertCell().textContent = value === null ? "NULL" : String(value);
            }
            target.append(table);
          }
        }

        document.addEventListener("submit", async (event) => {
          const form = event.target;
          if (!form.dataset.api) return;
          event.preventDefault();
          if (form.dataset.confirm !== undefined && field(form, "confirm") !== form.dataset.confirm) {
            say("Type " + form.dataset.confirm + " to confirm.", true);
            return;
          }
          say("Working…", false);
          try {
            const response = await request(form);
            const text = await response.text();
            let answer = null;
            try { answer = JSON.parse(text); } catch (e) {}
            if (!response.ok || (answer && answer.success === false)) {
              say((answer && answer.errors && answer.errors.length ? answer.errors.map((e) => e.message).join("; ") : text) || response.statusText, true);
              return;
            }
            const then = form.dataset.then || "reload";
            if (then === "reload") location.reload();
            else if (then === "results") { renderResults(answer.result); say("Done.", false); }
            else if (then === "status") say(JSON.stringify(answer.result), false);
            else if (then === "report") {
              document.getElementById("report").textContent = answer.result.report;
              say(answer.result.passed ? "The fixture passes." : "The fixture fails: see its report.", !answer.result.passed);
            }
            else location.href = then;
          } catch (error) {
            say(String(error), true);
          }
        });

        // TTL countdowns.
        setInterval(() => {
          const now = Date.now() / 1000;
          for (const element of document.querySelectorAll("[data-expiration]")) {
            element.textContent = Math.max(0, Math.round(Number(element.dataset.expiration) - now)) + " s";
          }
        }, 1000);

        // The live tail: every event, filtered here; drops counted.
        const tail = document.getElementById("tail");
        if (tail) {
          let count = 0, dropped = 0;
          const filters = document.getElementById("tail-filters");
          const source = new EventSource(tail.dataset.source);
          source.onmessage = (message) => {
            const event = JSON.parse(message.data);
            if (event.type === "dropped") { dropped += event.count || 0; document.getElementById("tail-dropped").textContent = dropped; return; }
            if (event.type === "heartbeat" || event.type === "connected") return;
            const wanted = field(filters, "status"), method = field(filters, "method").toUpperCase(), search = field(filters, "search");
            if (wanted && event.outcome !== wanted) return;
            if (method && event.method && event.method !== method) return;
            if (search && !message.data.includes(search)) return;
            const item = document.createElement("li");
            item.className = event.outcome === "error" || event.level === "error" ? "error" : "";
            item.textContent = event.type === "request"
              ? `${event.timestamp} ${event.method} ${event.url} → ${event.status} (${event.durationMs} ms)`
              : event.type === "log" ? `${event.timestamp} [${event.level}] ${event.label}: ${event.message}`
              : event.type === "queue" ? `${event.timestamp} QUEUE ${event.queue}: ${event.messages} message(s), ${event.outcome}`
              : event.type === "scheduled" ? `${event.timestamp} CRON "${event.cron}" ${event.outcome}` : message.data;
            tail.prepend(item);
            document.getElementById("tail-count").textContent = ++count;
          };
        }

        // The request-rate chart: requests answered per second, sampled every two seconds.
        const chart = document.getElementById("rate-chart");
        if (chart) {
          const rates = [];
          let last = null;
          setInterval(async () => {
            const answer = await (await fetch(base + "api/local/metrics")).json();
            const total = answer.result.requests_total;
            if (last !== null) rates.push(Math.max(0, (total - last) / 2));
            last = total;
            document.getElementById("requests-total").textContent = total;
            while (rates.length > 60) rates.shift();
            const top = Math.max(1, ...rates);
            chart.querySelector("polyline").setAttribute("points", rates.map((rate, index) => `${index * 5},${60 - 55 * rate / top}`).join(" "));
          }, 2000);
        }
        """#
}
