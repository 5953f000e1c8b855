"""How fast the profile browser shows a big store, in Debian's Chromium.

    .venv/bin/python bench/browser_list.py [--profiles 1000] [--runs 5]

Fills a temporary store with --profiles profiles (one real profile imported by
ProfileStore, then its folder copied with a fresh ProfileStore-shaped meta.json:
distinct ids, names, notebooks, cells and statuses), starts JupyterLab on it with
temporary settings, and runs bench/browser_list.mjs, which measures in Chromium:

- open: from the click on the sidebar tab to the first frame painted with the
  list filled (first open: includes the list request; later opens: the list is
  held, only the cheap change probe runs);
- the list request itself (Resource Timing);
- scrolling the whole list at a steady speed: frame intervals (p50/p95/max),
  frames over 1.5 × the median interval, and long tasks (> 50 ms);
- jumping to the end with the End key: time to the painted frame.

Targets (issue 7): open under 1 s with 1,000 profiles; smooth scrolling.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SOURCE = REPO / "test-data" / "profiles" / "vmprof-0.6.0" / "mixed.prof"
sys.path.insert(0, str(REPO))

from jupyterlab_vmprof.store import META_FILE, ProfileStore, write_json_atomic  # noqa: E402

TOKEN = "vmprof-bench-token"
STATUSES = ["complete"] * 7 + ["failed", "interrupted", "complete"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fill_store(root: Path, count: int) -> None:
    """One real import, then copies of its folder, each with its own meta.json."""
    store = ProfileStore(root)
    template = store.import_profile(SOURCE.read_bytes(), name="template")
    template_folder = store.folder(template["id"])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    for index in range(count):
        moment = start + dt.timedelta(minutes=7 * index)
        profile_id = f"{moment.strftime('%Y%m%dT%H%M%S')}-{index:08x}"
        folder = root / profile_id
        shutil.copytree(template_folder, folder)
        finished = moment + dt.timedelta(seconds=1 + index % 13)
        status = STATUSES[index % len(STATUSES)]
        meta = dict(
            template,
            id=profile_id,
            name=f"profile {index} of the bench",
            status=status,
            notebook=f"/home/user/analysis/notebook-{index % 12}.ipynb",
            cell=f"%%vmprof\nresult = compute_step_{index}(data, size={index * 10})\nprint(result)",
            started=moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            finished=finished.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            duration_s=1.0 + index % 13,
            samples=250 * (1 + index % 13),
            error="ValueError: bench" if status == "failed" else None,
            pid=None,
        )
        write_json_atomic(folder / META_FILE, meta)
    shutil.rmtree(template_folder)


def wait_for(url: str, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit("JupyterLab exited early")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"JupyterLab did not answer at {url}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profiles", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5, help="opens measured after the first")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="vmprof-bench-browser-"))
    try:
        store = work / "store"
        started = time.perf_counter()
        fill_store(store, args.profiles)
        print(f"store: {args.profiles} profiles in {time.perf_counter() - started:.2f} s ({store})")
        for name in ("root", "settings", "workspaces"):
            (work / name).mkdir()
        news = work / "settings" / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True)
        (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
        port = free_port()
        env = dict(
            os.environ,
            JUPYTERLAB_VMPROF_STORE=str(store),
            JUPYTERLAB_SETTINGS_DIR=str(work / "settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(work / "workspaces"),
            PYTHONPATH=str(REPO),
            PATH=f"{REPO / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
        )
        log = open(work / "lab.log", "wb")
        lab = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
             f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={TOKEN}",
             f"--ServerApp.root_dir={work / 'root'}", "--ServerApp.jpserver_extensions={'jupyterlab_vmprof': True}",
             "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
            env=env, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(f"{base}/api?token={TOKEN}", lab)
            result = subprocess.run(
                ["node", str(HERE / "browser_list.mjs"), f"{base}/lab?token={TOKEN}", str(args.profiles), str(args.runs)],
                cwd=REPO, check=False,
            )
            if result.returncode != 0:
                print(f"the Chromium measurement failed; JupyterLab's log: {work / 'lab.log'}")
                sys.exit(result.returncode)
        finally:
            lab.terminate()
            try:
                lab.wait(timeout=20)
            except subprocess.TimeoutExpired:
                lab.kill()
            log.close()
    finally:
        if not os.environ.get("VMPROF_BENCH_KEEP"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
