"""Build hook: compiles the frame-check guard (jupyterlab_vmprof/kernel/lean/_framecheck.c).

The guard keeps vmprof's signal handler from following a half-made frame on CPython
3.11 and 3.12 (see docs/kernel.md, "Known problems"); other Pythons do not need it.
It is compiled with the building interpreter's own compiler and flags (sysconfig)
into the package folder of the source tree, so that a kernel importing the package
from the checkout finds it as well as the wheel, which then becomes specific to this
Python and platform. Without a C compiler or CPython's internal headers the build
still succeeds, without the guard; profiling then warns that it is off.
"""
from __future__ import annotations

import os
import platform
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

GUARD_SOURCE = Path("jupyterlab_vmprof", "kernel", "lean", "_framecheck.c")
GUARDED_PYTHONS = ((3, 11), (3, 12))


def guard_needed() -> bool:
    return (platform.python_implementation() == "CPython" and sys.version_info[:2] in GUARDED_PYTHONS
            and os.name == "posix")


def built_guard_path(root: Path) -> Path:
    return root / GUARD_SOURCE.with_name("_framecheck" + sysconfig.get_config_var("EXT_SUFFIX"))


def compile_command(source: Path, target: Path) -> list:
    """The command distutils would run, from this interpreter's build configuration."""
    config = sysconfig.get_config_vars()
    link = shlex.split(config.get("LDSHARED") or "cc -shared")
    flags = shlex.split(config.get("CFLAGS") or "") + shlex.split(config.get("CCSHARED") or "-fPIC")
    include = sysconfig.get_paths()["include"]
    # The signal handler must unwind through vmprof's native-frame walk: keep unwind tables.
    return [*link, *flags, "-O2", "-fasynchronous-unwind-tables", f"-I{include}", str(source), "-o", str(target)]


def build_guard(root: Path, log=print) -> Path | None:
    """Compile the guard next to its source if it is missing or older; None if it cannot be."""
    source, target = root / GUARD_SOURCE, built_guard_path(root)
    if not guard_needed() or not source.exists():
        return None
    if target.exists() and target.stat().st_mtime >= source.stat().st_mtime:
        return target
    command = compile_command(source, target)
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except (OSError, subprocess.TimeoutExpired) as err:
        log(f"jupyterlab_vmprof: the crash guard was not built (no C compiler? {err}); "
            "profiles on this Python may crash the process (see docs/kernel.md)")
        return None
    if result.returncode != 0:
        messages = result.stderr.strip().splitlines() or ["?"]
        first_error = next((line for line in messages if "error" in line), messages[-1])
        log("jupyterlab_vmprof: the crash guard was not built (it needs CPython's headers, "
            f"internal/ included): {first_error}")
        target.unlink(missing_ok=True)
        return None
    return target


class FrameCheckBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel":
            return
        built = build_guard(Path(self.root), log=self.app.display_warning)
        if built is None:
            return
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        if version != "editable":
            build_data["force_include"][str(built)] = built.relative_to(self.root).as_posix()
