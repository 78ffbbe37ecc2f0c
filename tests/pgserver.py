"""Start and stop a real, throw-away PostgreSQL server for the tests (initdb into a temp folder)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.net import free_port


def find_pg_bin() -> Path | None:
    """Return the folder with initdb/pg_ctl (Debian's postgresql package), or None."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return candidates[-1].parent if candidates else None


def _as_server_user(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server as the postgres user in that case."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def postgres_server(base: Path) -> Iterator[str]:
    """Run a PostgreSQL server on 127.0.0.1 with its data under `base`; yield its admin URL."""
    pg_bin = find_pg_bin()
    if pg_bin is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb) not found")
    base.mkdir(parents=True, exist_ok=True)
    data_dir = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, user="postgres")
    subprocess.run(
        _as_server_user([str(pg_bin / "initdb"), "-D", str(data_dir), "-A", "trust", "-U", "postgres"]),
        check=True,
        capture_output=True,
    )
    port = free_port()
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    pg_ctl = str(pg_bin / "pg_ctl")
    subprocess.run(
        _as_server_user([pg_ctl, "-D", str(data_dir), "-o", options, "-l", str(base / "log"), "-w", "start"]),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(data_dir), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
        )
