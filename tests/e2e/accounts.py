"""Real accounts for the CLI tests: `pakn admin create-user` on the issuer's database, then `pakn login`
over HTTP, each login in a config folder of its own ($XDG_CONFIG_HOME)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PASSWORD = "mat-khau-cua-phep-thu"


def pakn(*args: str, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "runtime.cli", *args], capture_output=True, text=True,
                          timeout=120, input=stdin, env={**os.environ, **(env or {})})


def issuer_settings(platform) -> tuple[str, ...]:
    """--set flags that reach the platform's issuer and its accounts' database."""
    return ("--set", f"data_dir={platform.config.data_dir}",
            "--set", f"identity.embedded_issuer={platform.config.identity.embedded_issuer}")


def logged_in(folder: Path, provider_platform, role: str, unit: str | None = None, username: str | None = None) -> dict:
    """The environment of a CLI logged in as a new account of `role` (created with pakn admin create-user)."""
    username = username or role.replace("_", "-") + (f".{unit}" if unit else "")
    created = pakn(*issuer_settings(provider_platform), "admin", "create-user", username, "--role", role,
                   *(("--unit", unit) if unit else ()), "--password-stdin", stdin=PASSWORD + "\n")
    assert created.returncode == 0, created.stderr
    env = {"XDG_CONFIG_HOME": str(folder / username)}
    done = pakn(*issuer_settings(provider_platform), "login", "--username", username, "--password-stdin",
                env=env, stdin=PASSWORD + "\n")
    assert done.returncode == 0, done.stderr
    return env
