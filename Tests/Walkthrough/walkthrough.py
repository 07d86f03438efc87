#!/usr/bin/env python3
"""The README's walkthrough, run as a newcomer would run it.

Every ```sh block of README.md runs, in order, in one bash session — variables and functions
carry from block to block, as in a terminal — inside a copy of the checkout in a folder that is
not named `drover`, with no `.drover/` state: a fresh clone. Servers the README starts in "another
terminal" run in the background and are stopped with SIGINT, as Ctrl-C stops them.

What each command's output must show is read from the README itself, from the comment at the end
of the command:

    curl -s localhost:8787/health   # {"status":"healthy",...}: every adapter passes

- every JSON fragment of the comment (from `{`, `[` or `"` to where it closes) must appear in the
  command's output, where `…` or `...` stands for anything, and white space around `:` `,` and
  brackets does not count;
- every `backquoted` span must appear in the output as written (again with `…` for anything);
- `exits N` says the command exits with status N; any other command must exit 0;
- output must end with a newline: a terminal would otherwise print the next prompt on its last line.

Prose the walkthrough cannot read from the blocks is given in HTML comments, invisible on the
rendered page, between the blocks:

    <!-- walkthrough: skip -->                the next block is not run (say why after a colon)
    <!-- walkthrough: serve NAME -->          the next block's last command is a server: run it in
                                              the background and wait for "Ready on" in its output
    <!-- walkthrough: serve NAME waiting for TEXT -->   ... wait for TEXT instead
    <!-- walkthrough: stop NAME -->           Ctrl-C (SIGINT) the server and wait for it to exit
    <!-- walkthrough: restart NAME -->        stop it and start it again with the same command
    <!-- walkthrough: until SECONDS -->       run the next block again until its checks pass (for
                                              work a queue consumer does in the background)
    <!-- walkthrough: log NAME TEXT -->       the server's output shows TEXT (within 15 s)

Several directives may share one comment, separated by `;`.

The copy runs the package already built in the checkout: `swift` on the walkthrough's PATH builds
and runs the checkout's package (`--package-path`) for the copy's folder, with the copy as the
working directory, and the copy's `.build` is the checkout's. So `scripts/test` builds once, and
the walkthrough's `swift run` and `swift build` find everything up to date.

Usage: Tests/Walkthrough/walkthrough.py [--keep] [--list] [--verbose] [--keep-going] [--readme FILE]
"""

import argparse
import os
import pty
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
PORT = 8787
COMMAND_TIMEOUT = 600  # seconds: a `swift run` may have to build
SERVER_TIMEOUT = 600
DONE = "__WALKTHROUGH_DONE__"
VERBOSE = False
KEEP_GOING = False


class Failure(Exception):
    pass


# --- Reading the README ---------------------------------------------------------------------


class Block:
    def __init__(self, line, commands):
        self.line = line  # where the block starts in the README, 1-based
        self.commands = commands  # [(line, text)]


class Directive:
    def __init__(self, line, verb, argument):
        self.line = line
        self.verb = verb
        self.argument = argument


def read_steps(path):
    """The README as a list of Blocks and Directives, in order."""
    steps = []
    lines = open(path, encoding="utf-8").read().split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        directive = re.match(r"\s*<!--\s*walkthrough:\s*(.*?)\s*-->\s*$", line)
        if directive:
            text = directive.group(1)
            # `skip: why` takes the whole comment; the other directives may share one, split by `;`.
            parts = [text] if text.startswith("skip") else text.split(";")
            for part in parts:
                part = part.strip()
                if not part:
                    continue
                verb, _, argument = part.partition(" ")
                if verb.endswith(":"):  # `skip: why`
                    verb = verb[:-1]
                if verb not in ("skip", "serve", "stop", "restart", "until", "log"):
                    raise Failure(f"README.md:{index + 1}: unknown walkthrough directive {verb!r}")
                steps.append(Directive(index + 1, verb, argument.strip()))
            index += 1
            continue
        fence = re.match(r"\s*```(\S*)\s*$", line)
        if fence:
            language = fence.group(1)
            start = index + 1
            body = []
            index += 1
            while index < len(lines) and not re.match(r"\s*```\s*$", lines[index]):
                body.append((index + 1, lines[index]))
                index += 1
            index += 1
            if language in ("sh", "bash", "shell"):
                steps.append(Block(start, split_commands(body)))
            continue
        index += 1
    return steps


def split_commands(body):
    """The block's lines grouped into commands: a command runs on while bash finds it incomplete
    (an open quote, a function's braces, a trailing backslash). Lines that are only a comment,
    between commands, are narration and are not run."""
    commands = []
    pending = []
    for number, text in body:
        if not pending and (not text.strip() or text.lstrip().startswith("#")):
            continue
        pending.append((number, text))
        joined = "\n".join(t for _, t in pending)
        if text.rstrip().endswith("\\"):
            continue
        check = subprocess.run(["bash", "-n"], input=joined, text=True, capture_output=True)
        if check.returncode == 0:
            commands.append((pending[0][0], joined))
            pending = []
    if pending:
        raise Failure(f"README.md:{pending[0][0]}: this command never ends (bash -n finds it incomplete)")
    return commands


def comments(command):
    """The comments of a command: each `#` outside quotes that starts a word, to the line's end."""
    found = []
    for line in command.split("\n"):
        quote = None
        previous = " "
        for position, char in enumerate(line):
            if quote:
                if char == quote and not (quote == '"' and previous == "\\"):
                    quote = None
            elif char in "'\"":
                quote = char
            elif char == "#" and previous.isspace():
                found.append(line[position + 1 :].strip())
                break
            previous = char
    return found


def fragments(comment):
    """The JSON fragments of a comment: members and values, from a `{`, `[` or `"` that starts a
    word to where it closes, running on over `key: value` and `, "next": ...`
    (`"alarms":1, "alarm":null` is one fragment). Backquoted spans are left to `spans`."""
    found = []
    position = 0
    while position < len(comment):
        char = comment[position]
        if char == "`":
            close = comment.find("`", position + 1)
            position = len(comment) if close < 0 else close + 1
            continue
        if char not in '{["' or (position > 0 and not re.match(r"[\s(]", comment[position - 1])):
            position += 1
            continue
        start = position
        while True:
            position = value_end(comment, position)
            if comment[position - 1] == '"':  # a string, so perhaps a key: its `: value` follows
                colon = re.match(r":\s*", comment[position:])
                if colon:
                    position = value_end(comment, position + colon.end())
            more = re.match(r",\s*(?=\")", comment[position:])
            if not more:
                break
            position += more.end()
        fragment = comment[start:position]
        if len(fragment) > 2:
            found.append(fragment)
    return found


def value_end(text, position):
    """Where the JSON-ish value at `position` ends: a string, a bracketed value (strings inside
    may hold brackets), or a scalar (a number, `true`, `null`, `…`)."""
    if position >= len(text):
        return position
    if text[position] == '"':
        position += 1
        while position < len(text) and text[position] != '"':
            position += 2 if text[position] == "\\" else 1
        return min(position + 1, len(text))
    if text[position] in "{[":
        depth = 0
        while position < len(text):
            char = text[position]
            if char == '"':
                position = value_end(text, position)
                continue
            if char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    return position + 1
            position += 1
        return position
    scalar = re.match(r"[\w.\-+…]*", text[position:])
    return position + scalar.end()


def spans(comment):
    return re.findall(r"`([^`]+)`", comment)


def pattern(expected):
    """`expected` as a regular expression: `…`/`...` match anything, and white space around JSON
    punctuation is dropped (from the output too, by `normalized`)."""
    pieces = re.split(r"…|\.\.\.", normalized(expected))
    return re.compile(".*?".join(re.escape(piece) for piece in pieces), re.S)


def normalized(text):
    return re.sub(r"\s*([:,{}\[\]])\s*", r"\1", text)


def expectations(command):
    checks = []
    status = 0
    for comment in comments(command):
        exits = re.search(r"\bexits (\d+)\b", comment)
        if exits:
            status = int(exits.group(1))
        checks.extend(fragments(comment))
        checks.extend(spans(comment))
    return checks, status


def self_check():
    """The reading of comments, checked before it is trusted: a check that cannot fail is no check."""
    cases = [
        ('{"ok":true}: verified and queued', ['{"ok":true}']),
        ('503: "shopify": {"status": "fail", ...}', ['"shopify": {"status": "fail", ...}']),
        ('"alarms":1, "alarm":null', ['"alarms":1, "alarm":null']),
        ('`expected "hello", got "bonjour"`, exits 1', []),
        ("FAIL: steps[0].expect", []),
        ('now with "profile":{"email":"ada@example.com",…}', ['"profile":{"email":"ada@example.com",…}']),
    ]
    for comment, expected in cases:
        if fragments(comment) != expected:
            raise Failure(f"self-check: fragments({comment!r}) = {fragments(comment)!r}, not {expected!r}")
    command = 'curl -s x ; echo   # {"state":"open","failures":3}, `HTTP/1.1 200`, exits 0'
    if check(command, 0, '{"state": "open", "failures": 3}\nHTTP/1.1 200 OK\n'):
        raise Failure("self-check: a matching output was refused")
    for status, output in [(0, '{"state":"open","failures":2}\nHTTP/1.1 200 OK\n'), (0, '{"state":"open","failures":3}\nHTTP/1.1 503\n'),
                           (1, '{"state":"open","failures":3}\nHTTP/1.1 200 OK\n'), (0, '{"state":"open","failures":3} HTTP/1.1 200')]:
        if not check(command, status, output):
            raise Failure(f"self-check: a wrong output was accepted: status {status}, {output!r}")


# --- The copy of the checkout ---------------------------------------------------------------


def make_copy(root):
    """The checkout's files (tracked and untracked, not ignored) in `root`/a-checkout, as one
    commit of a new repository, with the checkout's build directories linked in."""
    copy = os.path.join(root, "a-checkout")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = os.path.join(REPO, name)
        if not os.path.lexists(source):
            continue  # deleted in the working tree
        target = os.path.join(copy, name)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if os.path.islink(source):
            os.symlink(os.readlink(source), target)
        else:
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=walkthrough", "-c", "user.email=walkthrough@localhost", "-c", "init.defaultBranch=main"]
    subprocess.run(git + ["init", "-q"], cwd=copy, check=True)
    subprocess.run(git + ["add", "-A"], cwd=copy, check=True)
    subprocess.run(git + ["commit", "-q", "-m", "the checkout, as a fresh clone"], cwd=copy, check=True)
    for build in (".build", "Examples/hello-package/.build"):
        if os.path.isdir(os.path.join(REPO, build)):
            os.symlink(os.path.join(REPO, build), os.path.join(copy, build))
    return copy


def make_shim(root, copy):
    """A `swift` that builds and runs the checkout's package for a folder of the copy."""
    real = shutil.which("swift")
    if not real:
        raise Failure("swift is not on the PATH")
    bin_dir = os.path.join(root, "bin")
    os.makedirs(bin_dir)
    shim = os.path.join(bin_dir, "swift")
    with open(shim, "w") as file:
        file.write(f"""#!/usr/bin/env bash
# The walkthrough's swift: `swift build|run|test` in a folder of the copy ({copy}) builds the
# checkout's package for that folder ({REPO}); the program runs in the copy.
case "${{1:-}}" in
build|run|test)
    if [[ "$PWD/" == "{copy}/"* ]]; then
        subcommand=$1
        shift
        exec "{real}" "$subcommand" --package-path "{REPO}${{PWD#{copy}}}" "$@"
    fi
    ;;
esac
exec "{real}" "$@"
""")
    os.chmod(shim, 0o755)
    return bin_dir


# --- Running --------------------------------------------------------------------------------


class Shell:
    """One bash session, as the terminal the README's commands are typed into."""

    def __init__(self, copy, env, scratch):
        self.scratch = scratch
        self.count = 0
        self.process = subprocess.Popen(
            ["bash", "--noprofile", "--norc"], cwd=copy, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1, start_new_session=True,
        )

    def run(self, command):
        self.count += 1
        script = os.path.join(self.scratch, f"command-{self.count}.sh")
        output = os.path.join(self.scratch, f"output-{self.count}.txt")
        with open(script, "w") as file:
            file.write(command + "\n")
        self.process.stdin.write(f"source {script} > {output} 2>&1 < /dev/null; echo \"{DONE} $?\"\n")
        self.process.stdin.flush()
        deadline = time.monotonic() + COMMAND_TIMEOUT
        while True:
            ready, _, _ = select.select([self.process.stdout], [], [], max(0, deadline - time.monotonic()))
            if not ready:
                raise Failure(f"the command ran for more than {COMMAND_TIMEOUT} s")
            line = self.process.stdout.readline()
            if not line:
                raise Failure("the shell exited")
            if line.startswith(DONE):
                status = int(line.split()[1])
                return status, open(output, encoding="utf-8", errors="replace").read()

    def close(self):
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


class Server:
    def __init__(self, name, command, cwd, env, scratch, ready):
        self.name = name
        self.command = command
        self.cwd = cwd
        self.env = env
        self.ready = ready
        self.log_path = os.path.join(scratch, f"server-{name}.log")
        self.process = None

    def start(self):
        with open(self.log_path, "a") as log:
            log.write(f"$ {self.command}\n")
        self.offset = os.path.getsize(self.log_path)
        # On a terminal, as in the README: a program may write for a terminal otherwise (`drover
        # tail` prints JSON lines to a pipe and readable lines to a terminal).
        master, terminal = pty.openpty()
        self.process = subprocess.Popen(
            ["bash", "-c", self.command], cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=terminal,
            stderr=terminal, start_new_session=True,
        )
        os.close(terminal)
        threading.Thread(target=self.copy_output, args=(master,), daemon=True).start()
        deadline = time.monotonic() + SERVER_TIMEOUT
        while time.monotonic() < deadline:
            if self.ready in self.log()[self.offset :]:
                return
            if self.process.poll() is not None:
                raise Failure(f"server {self.name} exited with status {self.process.returncode} before it was ready:\n{tail(self.log())}")
            time.sleep(0.2)
        raise Failure(f"server {self.name} did not print {self.ready!r} within {SERVER_TIMEOUT} s:\n{tail(self.log())}")

    def copy_output(self, master):
        """The terminal's output into the log, until the last process holding it exits."""
        with open(self.log_path, "ab") as log:
            while True:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: no process holds the terminal any more
                    break
                if not data:
                    break
                log.write(data.replace(b"\r\n", b"\n"))
                log.flush()
        os.close(master)

    def stop(self):
        """Ctrl-C: SIGINT to the whole foreground group (bash, swift run, drover)."""
        if self.process is None or self.process.poll() is not None:
            raise Failure(f"server {self.name} is not running:\n{tail(self.log())}")
        os.killpg(self.process.pid, signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise Failure(f"server {self.name} did not exit within 30 s of Ctrl-C:\n{tail(self.log())}")

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def log(self):
        """The output so far, without a terminal's colour codes."""
        text = open(self.log_path, encoding="utf-8", errors="replace").read()
        return re.sub(r"\x1b\[[0-9;]*[A-Za-z]", "", text)


def tail(text, lines=30):
    return "\n".join("    " + line for line in text.rstrip().split("\n")[-lines:])


def shown(command):
    first = command.split("\n")[0]
    return first if len(first) <= 110 else first[:107] + "..."


def check(command, status, output):
    checks, expected_status = expectations(command)
    problems = []
    if status != expected_status:
        problems.append(f"exit status {status}, expected {expected_status}")
    # What a terminal shows: output that does not end its last line runs into the next prompt.
    if output and not output.endswith("\n"):
        problems.append("the output does not end with a newline, so the prompt would follow it on its line (add `; echo`)")
    flat = normalized(output)
    for expected in checks:
        if not pattern(expected).search(flat):
            problems.append(f"the output does not show {expected}")
    return problems


def walk(steps, copy, env, scratch):
    shell = Shell(copy, env, scratch)
    servers = {}
    pending = {"skip": None, "serve": None, "until": None}
    started = time.monotonic()
    failed = []
    try:
        for step in steps:
            if isinstance(step, Directive):
                if step.verb in pending:  # applies to the next block
                    pending[step.verb] = step
                elif step.verb in ("stop", "restart"):
                    server = servers.get(step.argument)
                    if server is None:
                        raise Failure(f"README.md:{step.line}: no server named {step.argument!r} was started")
                    print(f"  README.md:{step.line}: Ctrl-C {server.name}" + (", start it again" if step.verb == "restart" else ""))
                    server.stop()
                    if step.verb == "restart":
                        server.start()
                elif step.verb == "log":
                    name, _, text = step.argument.partition(" ")
                    server = servers.get(name)
                    if server is None:
                        raise Failure(f"README.md:{step.line}: no server named {name!r} was started")
                    # A server writes its log as it goes: give it a moment to reach the line.
                    deadline = time.monotonic() + 15
                    while not pattern(text).search(normalized(server.log())):
                        if time.monotonic() > deadline:
                            raise Failure(f"README.md:{step.line}: server {name}'s output does not show {text}:\n{tail(server.log())}")
                        time.sleep(0.2)
                    print(f"  README.md:{step.line}: {name}'s output shows {text}")
                continue

            block = step
            if pending["skip"] is not None:
                reason = pending["skip"].argument or "not run"
                print(f"README.md:{block.line}: skipped ({reason})")
                pending["skip"] = None
                pending["serve"] = None
                continue
            print(f"README.md:{block.line}:")
            commands = list(block.commands)
            serve = pending["serve"]
            pending["serve"] = None
            server_command = None
            if serve is not None:
                line, server_command = commands.pop()
            until = pending["until"]
            pending["until"] = None
            deadline = time.monotonic() + (float(until.argument) if until else 0)
            while True:
                failures = []
                outputs = {}
                for line, command in commands:
                    status, output = shell.run(command)
                    outputs[line] = output
                    problems = check(command, status, output)
                    if problems:
                        failures.append((line, command, output, problems))
                        if until is None and not KEEP_GOING:
                            break
                if not failures or until is None or time.monotonic() > deadline:
                    break
                time.sleep(1)
            for line, command, output, problems in failures:
                message = f"README.md:{line}: {shown(command)}\n" + "".join(f"  {p}\n" for p in problems)
                message += "  output:\n" + tail(output or "(none)")
                if not KEEP_GOING:
                    raise Failure(message)
                failed.append(message)
                print("  FAILED " + message)
            failed_lines = {line for line, _, _, _ in failures}
            for line, command in commands:
                if line in failed_lines:
                    continue
                print(f"  ok  {shown(command)}")
                if VERBOSE:
                    print(tail(outputs.get(line, ""), lines=15))
            if server_command is not None:
                name, _, waiting = serve.argument.partition(" waiting for ")
                ready = waiting.strip().strip('"') or "Ready on"
                cwd = shell_directory(shell)
                server = Server(name, server_command, cwd, env, scratch, ready)
                servers[name] = server
                server.start()
                print(f"  ok  {shown(server_command)}   (serving in the background as {name})")
        if failed:
            raise Failure(f"{len(failed)} commands did not do what the README says:\n\n" + "\n\n".join(failed))
        print(f"\nwalkthrough: every command of the README ran as it says, in {time.monotonic() - started:.0f} s")
    finally:
        for server in servers.values():
            server.kill()
        shell.close()


def shell_directory(shell):
    status, output = shell.run("pwd")
    return output.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readme", default=os.path.join(REPO, "README.md"))
    parser.add_argument("--keep", action="store_true", help="keep the copy and the logs (printed at the end)")
    parser.add_argument("--list", action="store_true", help="print the steps and each command's checks; run nothing")
    parser.add_argument("--verbose", action="store_true", help="print each command's output")
    parser.add_argument("--keep-going", action="store_true", help="report a command that fails its checks and go on")
    arguments = parser.parse_args()
    global VERBOSE, KEEP_GOING
    VERBOSE = arguments.verbose
    KEEP_GOING = arguments.keep_going

    self_check()
    steps = read_steps(arguments.readme)
    if arguments.list:
        for step in steps:
            if isinstance(step, Directive):
                print(f"README.md:{step.line}: <{step.verb} {step.argument}>")
                continue
            for line, command in step.commands:
                checks, status = expectations(command)
                print(f"README.md:{line}: {shown(command)}")
                for expected in checks:
                    print(f"      shows {expected}")
                if status:
                    print(f"      exits {status}")
        return
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", PORT)) == 0:
            raise Failure(f"something already listens on port {PORT}: the README's commands use it; stop it first")
    root = tempfile.mkdtemp(prefix="drover-walkthrough-")
    scratch = os.path.join(root, "scratch")
    os.makedirs(scratch)
    try:
        copy = make_copy(root)
        env = dict(os.environ)
        env["PATH"] = make_shim(root, copy) + os.pathsep + env.get("PATH", "")
        env.pop("DROVER_STATE", None)
        print(f"walkthrough: the README's commands in {copy}, a copy of the checkout with no state\n")
        walk(steps, copy, env, scratch)
    finally:
        if arguments.keep:
            print(f"walkthrough: kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    try:
        main()
    except Failure as failure:
        print(f"\nwalkthrough: FAILED at {failure}", file=sys.stderr)
        sys.exit(1)
