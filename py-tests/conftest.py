"""Shared fixtures. Keep this file small: fixtures used by one test file live in that file."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

pytest_plugins = ["pytest_jupyter.jupyter_server"]

REPO = Path(__file__).resolve().parent.parent
PROFILES = REPO / "test-data" / "profiles"


@pytest.fixture
def profile_data() -> Path:
    """Folder of real vmprof files (test-data/profiles, see its README for what each holds)."""
    return PROFILES


@pytest.fixture
def store_dir(tmp_path, monkeypatch) -> Path:
    """An empty profile store, also announced to kernels through JUPYTERLAB_VMPROF_STORE."""
    folder = tmp_path / "store"
    folder.mkdir()
    monkeypatch.setenv("JUPYTERLAB_VMPROF_STORE", str(folder))
    return folder


@pytest.fixture
def store(store_dir):
    from jupyterlab_vmprof.store import ProfileStore

    return ProfileStore(store_dir)


@pytest.fixture
def jp_server_config(store_dir):
    """A Jupyter server with the jupyterlab_vmprof extension on the temporary store."""
    return Config(
        {
            "ServerApp": {"jpserver_extensions": {"jupyterlab_vmprof": True}},
            "VmprofExtension": {"store_dir": str(store_dir)},
        }
    )


@pytest.fixture
def put_profile(store):
    """put_profile(source, minutes_ago=0, **meta) -> id: a complete profile made from a .prof file.

    minutes_ago gives profiles distinct start times, as profiles taken one after the
    other have (ids made within the same second do not sort by time).
    """

    from jupyterlab_vmprof.store import iso

    def put(source: Path, minutes_ago: int = 0, **meta) -> str:
        made = store.import_profile(Path(source).read_bytes(), name=meta.pop("name", Path(source).stem))
        when = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=minutes_ago)
        profile_id = store.new_id(when)
        os.replace(store.folder(made["id"]), store.folder(profile_id))
        store.update_meta(profile_id, id=profile_id, started=iso(when), **meta)
        return profile_id

    return put


@pytest.fixture(scope="session")
def big_profile(tmp_path_factory) -> tuple[Path, int]:
    """(path, samples) of a large profile: generated/mixed.prof with its samples repeated 200 times."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        from make_big_profile import multiply
    finally:
        sys.path.remove(str(REPO / "bench"))
    data, samples = multiply((PROFILES / "generated" / "mixed.prof").read_bytes(), 200)
    path = tmp_path_factory.mktemp("big") / "big.prof"
    path.write_bytes(data)
    return path, samples


from kernel_fixtures import kernel, kernel_factory  # noqa: E402,F401 - real-kernel fixtures of the magic tests


@pytest.fixture
def settings(jp_serverapp):
    """The live VmprofExtension config; restored after the test."""
    config = jp_serverapp.web_app.settings["jupyterlab_vmprof"]["config"]
    saved = {name: getattr(config, name) for name in config.trait_names() if config.trait_metadata(name, "config")}
    yield config
    for name, value in saved.items():
        setattr(config, name, value)


@pytest.fixture
def small_disk(tmp_path):
    """small_disk(megabytes) -> a folder on a tmpfs of that size (needs root; skipped otherwise)."""
    mounted = []

    def mount_small(megabytes: int) -> Path:
        folder = tmp_path / f"disk{len(mounted)}"
        folder.mkdir()
        options = ["-o", f"size={megabytes}m"]
        done = subprocess.run(["mount", "-t", "tmpfs", *options, "tmpfs", str(folder)], capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here: {done.stderr.strip()}")
        mounted.append(folder)
        return folder

    yield mount_small
    for folder in mounted:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
