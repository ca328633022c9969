"""A real OpenID provider for the identity tests: npm's oidc-provider on Node.js, on loopback.

The provider's script and its locked dependencies are in tests/oidc/; `npm ci` installs them there
when node_modules is missing (a clean CI machine). With CI=true a missing node or npm fails the
test (tests/infra.py `unavailable`); elsewhere it is skipped with the reason.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests.infra import free_port, unavailable

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
NODE_MAJOR = 20
API = "urn:pakn:api"
OTHER_API = "urn:pakn:other"


def node_ready() -> str:
    """The node binary, with tests/oidc/node_modules installed (npm ci, once, under a lock)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable("Node.js and npm are needed for the OpenID provider of the identity tests")
    version = subprocess.run([node, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    if not version.startswith("v") or int(version[1:].split(".")[0]) < NODE_MAJOR:
        unavailable(f"Node.js {NODE_MAJOR} or later is needed for oidc-provider (found {version or 'none'})")
    marker = OIDC_DIR / "node_modules" / "oidc-provider" / "package.json"
    if not marker.exists():
        with open(OIDC_DIR / ".npm-ci.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not marker.exists():
                done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OIDC_DIR,
                                      capture_output=True, text=True, timeout=300)
                if done.returncode != 0:
                    unavailable(f"npm ci in {OIDC_DIR} failed: {done.stderr.strip()[-500:]}")
    return node


def signing_key(alg: str, kid: str | None = None) -> dict:
    """A fresh private JWK for the provider (RS256, PS256, ES256 or EdDSA)."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
    from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

    if alg in ("RS256", "PS256"):
        jwk = RSAAlgorithm.to_jwk(rsa.generate_private_key(public_exponent=65537, key_size=2048), as_dict=True)
    elif alg == "ES256":
        jwk = ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1()), as_dict=True)
    elif alg == "EdDSA":
        jwk = OKPAlgorithm.to_jwk(ed25519.Ed25519PrivateKey.generate(), as_dict=True)
    else:
        raise ValueError(alg)
    return {**jwk, "kid": kid or f"{alg.lower()}-{uuid.uuid4().hex[:8]}", "alg": alg, "use": "sig"}


@dataclass
class Client:
    client_id: str
    alg: str = "RS256"
    ttl: int = 600
    claims: dict = field(default_factory=dict)
    iss: str | None = None
    client_secret: str = field(default_factory=lambda: uuid.uuid4().hex + uuid.uuid4().hex)


@dataclass
class OidcProvider:
    """One oidc-provider process; `restart(keys=...)` brings it back on the same issuer (key rotation)."""

    folder: Path
    clients: list[Client]
    keys: list[dict] = field(default_factory=lambda: [signing_key("RS256"), signing_key("ES256"),
                                                      signing_key("EdDSA")])
    resources: tuple[str, ...] = (API, OTHER_API)
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "OidcProvider":
        node = node_ready()
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "provider.json"
        config.write_text(json.dumps({
            "issuer": self.issuer, "port": self.port, "keys": self.keys, "resources": list(self.resources),
            "clients": [vars(c) for c in self.clients]}))
        config.chmod(0o600)
        log = open(self.folder / "provider.log", "ab")
        self.process = subprocess.Popen([node, str(OIDC_DIR / "provider.mjs"), str(config)], cwd=OIDC_DIR,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                unavailable(f"oidc-provider exited at start: {(self.folder / 'provider.log').read_text()[-800:]}")
            try:
                with urllib.request.urlopen(f"{self.issuer}/.well-known/openid-configuration", timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        unavailable("oidc-provider did not answer in time")
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.process = None

    def restart(self, keys: list[dict] | None = None) -> "OidcProvider":
        self.stop()
        if keys is not None:
            self.keys = keys
        return self.start()

    def token(self, client_id: str, resource: str | None = None) -> str:
        """An access token from the token endpoint (client_credentials grant, client_secret_basic)."""
        client = next(c for c in self.clients if c.client_id == client_id)
        form = {"grant_type": "client_credentials", "scope": "pakn"}
        if resource:
            form["resource"] = resource
        basic = base64.b64encode(f"{client.client_id}:{client.client_secret}".encode()).decode()
        request = urllib.request.Request(
            f"{self.issuer}/token", data=urllib.parse.urlencode(form).encode(), method="POST",
            headers={"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = json.load(response)
        assert body["token_type"].lower() == "bearer", body
        return body["access_token"]
