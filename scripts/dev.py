#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python 3.11:

    python3 scripts/dev.py run [pakn serve options]   install into .venv, run the monolithic platform
    python3 scripts/dev.py test [pytest options]      test tools (clamd too, as root), contracts, the suite
    python3 scripts/dev.py chaos [pytest options]     only the chaos group (pytest -m chaos tests/chaos)
    python3 scripts/dev.py install                    just install (.venv, with the dev extras)
    python3 scripts/dev.py lint                       ruff over every Python folder, buf lint over proto/
    python3 scripts/dev.py bench [bench options]      the benchmark (needs PostgreSQL and RabbitMQ)

The virtual environment is re-installed only when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("PAKN_VENV", ROOT / ".venv"))
BIN = VENV / "bin"


def sh(*args: str | Path, **kw) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], check=True, cwd=ROOT, **kw)


def install(dev: bool) -> None:
    if sys.version_info < (3, 11):
        raise SystemExit("Python 3.11 or newer is required")
    if not (BIN / "python").exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = (ROOT / "pyproject.toml").read_bytes() + (b"dev" if dev else b"")
    stamp = VENV / f".installed-{hashlib.sha256(spec).hexdigest()[:16]}"
    if stamp.exists():
        return
    sh(BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip")
    sh(BIN / "python", "-m", "pip", "install", "-q", "-e", ".[dev]" if dev else ".")
    for old in VENV.glob(".installed-*"):
        old.unlink()
    stamp.touch()


def system_tools() -> None:
    """The system programs the tests start themselves: ClamAV's clamd (Debian's clamav-daemon), installed
    when missing if this runs as root (CI machines); elsewhere its tests are skipped (failed under CI=true)."""
    if shutil.which("clamd") or Path("/usr/sbin/clamd").exists():
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("clamd is not installed: the virus-scan tests will be skipped "
              "(as root: apt-get install clamav-daemon)", flush=True)
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    sh("apt-get", "update", "-q", env=env)
    sh("apt-get", "install", "-y", "-q", "--no-install-recommends", "clamav-daemon", env=env)


# Every folder of Python the project has: `test` and `make lint` check the same ones.
LINTED = ("runtime", "services", "regulation", "scripts", "tests", "bench", "gateways")


def lint() -> None:
    sh(BIN / "ruff", "check", *LINTED)


def main() -> int:
    command, args = (sys.argv[1] if len(sys.argv) > 1 else "help"), sys.argv[2:]
    if command == "install":
        install(dev=True)
    elif command == "run":
        install(dev=False)
        os.execv(BIN / "pakn", [str(BIN / "pakn"), "serve", *args])
    elif command == "test":
        install(dev=True)
        system_tools()
        sh(BIN / "python", "scripts/gen_protos.py", "--check")
        sh(BIN / "buf", "lint", "proto")
        lint()
        sh(BIN / "python", "-m", "pytest", *args)
    elif command == "chaos":
        # Its own RabbitMQ node and PostgreSQL cluster: needs rabbitmq-server and PostgreSQL's server binaries.
        install(dev=True)
        sh(BIN / "python", "-m", "pytest", "-m", "chaos", "tests/chaos", *args)
    elif command == "lint":
        install(dev=True)
        lint()
        sh(BIN / "buf", "lint", "proto")
    elif command == "bench":
        install(dev=True)
        sh(BIN / "python", "-m", "bench.run", *args)
    else:
        print(__doc__)
        return 0 if command == "help" else 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode or 1)
