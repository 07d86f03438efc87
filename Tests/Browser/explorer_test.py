#!/usr/bin/env python3
"""The local dashboard in a real browser: Debian's chromium, headless, driven over the DevTools
protocol (python3-websocket), against `drover dev` serving a copy of the playground.

Loads every page; puts a KV key through the form and sees it listed; runs a SQL query in the
console; dead-letters a message, replays it edited and watches it delivered; rolls back a
version; sees a request appear in the live tail; replays the fixture `--record` wrote of it.
Saves screenshots of the main pages.

    python3 Tests/Browser/explorer_test.py [--drover .build/debug/drover] [--screenshots DIR]
"""
import argparse
import base64
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket  # python3-websocket

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def eventually(what, condition, seconds=30):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


def http(url, method="GET", body=None, headers=None):
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class Browser:
    """One headless chromium page, driven over the DevTools protocol."""

    def __init__(self, profile):
        self.port = free_port()
        binary = shutil.which("chromium") or shutil.which("chromium-browser")
        if not binary:
            raise SystemExit("chromium is not installed (apt-get install chromium)")
        self.process = subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
             "--remote-debugging-port=%d" % self.port, "--user-data-dir=" + profile, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        pages = eventually("chromium's DevTools endpoint", self.page_targets, 60)
        self.socket = websocket.create_connection(pages[0]["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.call("Page.enable")
        self.call("Runtime.enable")
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=860, deviceScaleFactor=1, mobile=False)

    def page_targets(self):
        try:
            _, text = http("http://127.0.0.1:%d/json/list" % self.port)
            return [target for target in json.loads(text) if target.get("type") == "page"]
        except OSError:
            return None

    def call(self, method, **params):
        self.next_id += 1
        self.socket.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise AssertionError("%s: %s" % (method, message["error"]))
                return message.get("result", {})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            raise AssertionError("%s threw: %s" % (expression, result["exceptionDetails"]))
        return result["result"].get("value")

    def open(self, url):
        # Navigated again when a reload the page's script started lands over the navigation.
        def arrived():
            if self.evaluate("document.readyState === 'complete' && location.href") == url:
                return True
            self.attempts += 1
            if self.attempts % 50 == 0:
                self.call("Page.navigate", url=url)
            return False
        self.attempts = 0
        self.call("Page.navigate", url=url)
        eventually("the page " + url, arrived)

    def wait(self, what, expression, seconds=30):
        return eventually(what, lambda: self.evaluate(expression), seconds)

    def fill_and_submit(self, form_selector, values, reloads=True):
        """Fills the form's fields, submits it, and (`reloads`) waits for the reload the page's
        script makes once the API answered, failing with the page's message if it said one."""
        script = "(() => { window.droverBeforeSubmit = true; const form = document.querySelector(%s);" % json.dumps(form_selector)
        for name, value in values.items():
            script += "form.elements.namedItem(%s).value = %s;" % (json.dumps(name), json.dumps(value))
        script += "form.requestSubmit(); return true; })()"
        self.evaluate(script)
        if reloads:
            def reloaded():
                error = self.evaluate("window.droverBeforeSubmit && document.querySelector('#status.error') && document.querySelector('#status').innerText")
                if error:
                    raise AssertionError("the dashboard said: " + error)
                return self.evaluate("window.droverBeforeSubmit === undefined && document.readyState === 'complete'")
            eventually("the page to reload after submitting " + form_selector, reloaded)

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))

    def close(self):
        try:
            self.socket.close()
        finally:
            self.process.terminate()
            self.process.wait(timeout=30)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--drover", default=os.path.join(ROOT, ".build/debug/drover"))
    parser.add_argument("--screenshots", default=os.path.join(ROOT, ".build/explorer-screenshots"))
    arguments = parser.parse_args()
    arguments.drover = os.path.abspath(arguments.drover)
    os.makedirs(arguments.screenshots, exist_ok=True)
    work = tempfile.mkdtemp(prefix="drover-browser-")
    project = os.path.join(work, "playground")
    shutil.copytree(os.path.join(ROOT, "Examples/playground"), project, ignore=shutil.ignore_patterns(".drover"))
    config = os.path.join(project, "wrangler-like.toml")

    def drover(*args):
        subprocess.run([arguments.drover, *args, "--config", config], check=True, capture_output=True, text=True)

    # Two versions, the second with another greeting, so there is something to roll back to.
    drover("deploy", "--message", "first")
    with open(config) as file:
        text = file.read()
    with open(config, "w") as file:
        file.write(text.replace('GREETING = "hello"', 'GREETING = "hello again"'))
    drover("deploy", "--message", "second")

    port = free_port()
    recorded = os.path.join(work, "recorded")
    server = subprocess.Popen([arguments.drover, "dev", "--port", str(port), "--config", config, "--record", recorded],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=project)
    browser = None
    try:
        dashboard = None
        for line in server.stderr:
            match = re.match(r"Dashboard: (\S+)", line)
            if match:
                dashboard = match.group(1)
                break
        assert dashboard == "http://127.0.0.1:%d/cdn-cgi/explorer/" % port, dashboard
        # The rest of the server's output is drained, so it never blocks on a full pipe.
        subprocess.Popen(["cat"], stdin=server.stderr, stdout=subprocess.DEVNULL)
        browser = Browser(os.path.join(work, "profile"))

        # Every page loads and shows its data without waiting for the script.
        for page, marker in [("", "playground-kv"), ("kv", "playground-kv"), ("d1", "playground"), ("queues", "jobs-dlq"),
                             ("durable-objects", "Counter"), ("cron", "*/5 * * * *"), ("deployments", "second"), ("tail", "Live tail"), ("metrics", "Status classes"),
                             ("fixtures", "Recorded")]:
            browser.open(dashboard + page)
            assert marker in browser.evaluate("document.body.innerText"), (page, marker)
            print("ok page /%s" % page)
        browser.open(dashboard)
        browser.screenshot(os.path.join(arguments.screenshots, "overview.png"))

        # A KV key through the form, then listed with its metadata and TTL countdown.
        browser.open(dashboard + "kv/playground-kv")
        browser.fill_and_submit("#kv-put", {"key": "from-the-browser", "value": "hello", "expiration_ttl": "3600", "metadata": '{"by":"chromium"}'})
        browser.wait("the key listed", "document.querySelector('#keys') && document.querySelector('#keys').innerText.includes('from-the-browser')")
        assert "chromium" in browser.evaluate("document.querySelector('#keys').innerText")
        browser.screenshot(os.path.join(arguments.screenshots, "kv.png"))
        print("ok kv put through the form, listed")

        # A SQL query in the console, its result as a table.
        browser.open(dashboard + "d1/playground")
        browser.fill_and_submit("#sql-console", {"sql": "SELECT 6 * 7 AS answer"}, reloads=False)
        browser.wait("the query's result", "document.querySelector('#results table') && document.querySelector('#results').innerText.includes('42')")
        browser.screenshot(os.path.join(arguments.screenshots, "d1.png"))
        print("ok d1 console")

        # A dead letter: with the dead-letter queue paused, a message that always retries stays
        # there; edited and replayed, it is delivered and acknowledged.
        browser.open(dashboard + "queues/jobs-dlq")
        browser.fill_and_submit('form[data-body^="pause:"]', {})
        assert browser.evaluate("document.querySelector('#delivery').innerText") == "paused"
        browser.open(dashboard + "queues/jobs")
        browser.fill_and_submit("#queue-send", {"body": '{"action": "retry", "from": "browser"}'})

        def dead_letter_listed():
            browser.open(dashboard + "queues/jobs-dlq")
            return "browser" in browser.evaluate("document.querySelector('#dead-letters').innerText")
        eventually("the dead letter", dead_letter_listed, 60)
        assert "the consumer retried it" in browser.evaluate("document.querySelector('#dead-letters').innerText")
        browser.screenshot(os.path.join(arguments.screenshots, "queues.png"))
        browser.fill_and_submit("#dead-letters form[data-body=edited]", {"body": '{"action": "ack", "from": "browser, replayed"}'})
        assert "browser" not in browser.evaluate("document.querySelector('#dead-letters').innerText")
        token = browser.evaluate("document.querySelector('meta[name=drover-explorer-token]').content")

        def delivered():
            status, text = http(dashboard + "api/d1/database/playground/query", "POST",
                                json.dumps({"sql": "SELECT msg FROM deliveries WHERE msg LIKE '%replayed%'"}).encode(),
                                {"X-Drover-Explorer-Token": token, "Content-Type": "application/json"})
            return status == 200 and json.loads(text)["result"][0]["results"]
        eventually("the replayed message delivered", delivered, 60)
        print("ok dead letter replayed edited, delivered")

        # Roll back to version 1: the server switches, and the first greeting is back.
        status, text = http("http://127.0.0.1:%d/__drover/health" % port)
        assert json.loads(text).get("version") == 2, text
        browser.open(dashboard + "deployments?diff=1..2")
        assert "hello again" in browser.evaluate("document.querySelector('#diff').innerText")
        browser.screenshot(os.path.join(arguments.screenshots, "deployments.png"))
        browser.fill_and_submit('form[data-body="version:1"]', {})
        eventually("version 1 serving", lambda: json.loads(http("http://127.0.0.1:%d/__drover/health" % port)[1]).get("version") == 1, 60)
        assert json.loads(http("http://127.0.0.1:%d/env" % port)[1])["greeting"] == "hello"
        print("ok rolled back to version 1")

        # Run a cron trigger now from its page: the last run shows, and its outcome.
        browser.open(dashboard + "cron")
        browser.fill_and_submit('form[data-body="cron:*/5 * * * *"]', {}, reloads=False)
        browser.wait("the run's outcome", "document.querySelector('#status').innerText.includes('\"outcome\":\"ok\"')")
        browser.open(dashboard + "cron")
        assert "ok at" in browser.evaluate("document.querySelector('#crons').innerText")
        print("ok cron run now")

        # A Durable Object: listed with its name, a key put through the form, SQL in its console,
        # its alarm run from the page.
        http("http://127.0.0.1:%d/do/counter/browser/incr" % port, "POST")
        http("http://127.0.0.1:%d/do/counter/browser/alarm" % port, "POST", json.dumps({"inMs": 3600000}).encode())
        browser.open(dashboard + "durable-objects")
        link = browser.wait("the object listed", "[...document.querySelectorAll('#objects-COUNTER tr')].filter((row) => row.innerText.includes('browser')).map((row) => row.querySelector('a').href)[0]")
        browser.open(link)
        browser.fill_and_submit("#do-put", {"key": "from-the-browser", "value": '{"by": "chromium"}'})
        assert "chromium" in browser.evaluate("document.querySelector('#entries').innerText")
        browser.fill_and_submit("#sql-console", {"sql": "SELECT 6 * 7 AS answer"}, reloads=False)
        browser.wait("the query's result", "document.querySelector('#results table') && document.querySelector('#results').innerText.includes('42')")
        browser.screenshot(os.path.join(arguments.screenshots, "durable-objects.png"))
        browser.fill_and_submit("#alarm-run", {})
        assert json.loads(http("http://127.0.0.1:%d/do/counter/browser" % port)[1])["alarms"] == 1
        print("ok durable object: put, SQL, alarm run now")

        # The live tail shows a request made while it is open.
        browser.open(dashboard + "tail")
        time.sleep(0.5)
        http("http://127.0.0.1:%d/seen-in-the-browser-tail" % port)
        browser.wait("the request in the tail", "document.querySelector('#tail').innerText.includes('/seen-in-the-browser-tail')")
        browser.screenshot(os.path.join(arguments.screenshots, "tail.png"))
        print("ok live tail")

        # The request the tail saw was recorded as a fixture (--record): replayed from its page, it passes.
        browser.open(dashboard + "fixtures")
        link = browser.wait("the recorded fixture", "[...document.querySelectorAll('#fixtures a')].map((a) => a.href).find((href) => href.includes('seen-in-the-browser-tail'))")
        browser.open(link)
        browser.fill_and_submit('form[data-then="report"]', {}, reloads=False)
        report = browser.wait("the replay's report", "document.querySelector('#report').innerText")
        assert report.startswith("PASS"), report
        browser.screenshot(os.path.join(arguments.screenshots, "fixture.png"))
        print("ok fixture replayed from the dashboard")

        browser.open(dashboard + "metrics")
        browser.screenshot(os.path.join(arguments.screenshots, "metrics.png"))
        print("ok screenshots in %s" % arguments.screenshots)
    finally:
        if browser:
            browser.close()
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
