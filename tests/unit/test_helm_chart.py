"""The Helm chart (deploy/helm/pakn) read as text: `helm` is not on the machines, so these checks
stand in for `helm template` where they can: every value a template uses exists, every block is
closed, and the mutual TLS wiring (docs/pki.md) is what the runtime expects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from runtime import pki

CHART = Path(__file__).resolve().parents[2] / "deploy" / "helm" / "pakn"
TEMPLATES = sorted((CHART / "templates").glob("*"))


def values() -> dict:
    return yaml.safe_load((CHART / "values.yaml").read_text())


def text(name: str) -> str:
    return (CHART / "templates" / name).read_text()


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_value_a_template_uses_is_in_values_yaml(template):
    data = values()
    for path in re.findall(r"\$?\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)", template.read_text()):
        node = data
        for key in path.strip(".").split("."):
            assert isinstance(node, dict) and key in node, f"{template.name}: .Values{path} is not in values.yaml"
            node = node[key]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_block_is_closed(template):
    source = template.read_text()
    opened = len(re.findall(r"\{\{-?\s*(?:if|range|with|define|block)\b", source))
    closed = len(re.findall(r"\{\{-?\s*end\b", source))
    assert opened == closed, f"{template.name}: {opened} blocks opened, {closed} closed"


def test_api_pods_mount_their_tls_secret_and_point_tls_dir_at_it():
    tls = values()["tls"]
    assert tls["enabled"] is True  # the default: mutual TLS
    services = text("services.yaml")
    assert 'secretName: {{ include "pakn.tlsSecret" (list $ $name) }}' in services
    assert "PAKN_TLS__DIR, value: {{ $.Values.tls.mountPath | quote }}" in services
    assert "mountPath: {{ $.Values.tls.mountPath | quote }}, readOnly: true" in services
    # Only API pods serve gRPC: the Secret is mounted where $kind is "api".
    assert services.count('{{- if and (eq $kind "api") $.Values.tls.enabled }}') == 2
    # With TLS, kubelet's gRPC probe (no client certificate) is replaced by the HTTP ones.
    assert '{{- if and (eq $kind "api") (not $.Values.tls.enabled) }}' in services
    assert "httpGet: {path: /readyz, port: metrics}" in services
    # The same Secret names as the Certificates make.
    assert 'secretName: {{ include "pakn.tlsSecret" (list $ $name) }}' in text("certificates.yaml")


def test_without_tls_the_chart_says_plaintext_explicitly():
    # The pods listen on 0.0.0.0: without TLS the runtime refuses to start unless the flag is set.
    assert values()["config"]["PAKN_SERVER__HOST"] == "0.0.0.0"
    config = text("configmap.yaml")
    flag = config.index('PAKN_SERVER__PLAINTEXT: "true"')
    assert config.rindex("{{- if not .Values.tls.enabled }}", 0, flag) > config.rfind("{{- end }}", 0, flag)


def test_cert_manager_certificates_name_what_the_development_pki_names():
    certificates = text("certificates.yaml")
    assert "{{- if and .Values.tls.enabled .Values.tls.certManager.enabled }}" in certificates
    assert "usages: [digital signature, server auth, client auth]" in certificates
    assert "privateKey: {algorithm: ECDSA, size: 256, rotationPolicy: Always}" in certificates
    rendered = [line.strip()[2:].replace("{{ $.Release.Name }}", "pakn").replace("{{ $name }}", "intake")
                .replace("{{ $.Release.Namespace }}", "ns")
                for line in certificates.splitlines() if line.strip().startswith("- {{ $.Release.Name }}")]
    assert set(rendered) <= set(pki.dns_names("intake", "pakn", "ns")) and len(rendered) == 4
    # Clients whose certificates the chart makes are among the development PKI's names.
    assert set(values()["tls"]["clients"]) <= set(pki.NAMES)
    # The Service the clients address (PAKN_CLIENTS__*) is the first DNS name.
    assert '"{{ $.Release.Name }}-{{ $name }}:{{ $.Values.grpcPort }}"' in text("configmap.yaml")
