"""SNT912 command-injection: request data reaches a shell or chooses the program (CWE-78).

**What it detects.** Request data (see :mod:`sentinel_bandit._sources`) reaching

- a shell: ``os.system``, ``os.popen``, ``subprocess.getoutput``/``getstatusoutput``,
  ``asyncio.create_subprocess_shell``, and ``subprocess.run``/``call``/``check_call``/
  ``check_output``/``Popen`` with ``shell=True``;
- the program (argv[0]) of ``subprocess.*`` without a shell, ``os.exec*``/``os.spawn*``,
  ``asyncio.create_subprocess_exec``: ``subprocess.run([request_value, "-x"])`` or a whole argv
  list from the request.

An argument after the program (``["nslookup", domain]``) is not reported: without a shell it cannot
start another command. ``shlex.quote`` cleans a value for the shell.

**Why it matters.** OS command injection: ``example.com; rm -rf /`` runs whatever the client writes,
with the server's rights.

**Example evidence.** ``subprocess.run("nslookup " + params["domain"], shell=True)``.

**How to fix.** Pass an argument list without a shell (``subprocess.run(["nslookup", domain])``),
validate the value against what it must be (a host name), and never let the client pick the program.

Severity high.
"""

from __future__ import annotations

from typing import Any

from sentinel_bandit._plugin import Context, plugin
from sentinel_bandit._sinks import Sink, arg, names, no_shell, program, shell_true, taint_issue
from sentinel_bandit._taint import Kind
from sentinel_bandit.rules import COMMAND_INJECTION

_SUBPROCESS = names(*(f"subprocess.{f}" for f in ("run", "call", "check_call", "check_output", "Popen")))
_EXEC = names(
    *(f"os.{f}" for f in ("execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe")),
    *(f"os.{f}" for f in ("spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp")),
    "os.posix_spawn",
    "os.posix_spawnp",
    "asyncio.create_subprocess_exec",
)

SINKS = (
    Sink(
        label="a shell",
        select=arg(0, "command"),
        names=names(
            "os.system",
            "os.popen",
            "subprocess.getoutput",
            "subprocess.getstatusoutput",
            "asyncio.create_subprocess_shell",
            "commands.getoutput",
        ),
    ),
    Sink(label="a shell (shell=True)", select=arg(0, "args"), names=_SUBPROCESS, when=shell_true),
    Sink(label="the program to run", select=program, names=_SUBPROCESS, when=no_shell),
    Sink(label="the program to run", select=arg(0, "path"), names=_EXEC),
)


@plugin(COMMAND_INJECTION, "Call")
def sentinel_command_injection(context: Context) -> Any:
    return taint_issue(
        COMMAND_INJECTION,
        context,
        SINKS,
        Kind.COMMAND,
        lambda sink, evidence: (
            f"{evidence} reaches {sink.label}: pass an argument list without a shell "
            "and never let the client choose the program"
        ),
    )
