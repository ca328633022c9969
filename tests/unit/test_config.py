"""Configuration: defaults, then file, then environment, then flags; secrets redacted."""

import pytest

from runtime.config import ConfigError, as_dict, load, to_toml


def test_precedence_file_then_env_then_flags(tmp_path):
    f = tmp_path / "pakn.toml"
    f.write_text('[server]\nport = 6000\nhost = "0.0.0.0"\n[mail]\nsender = "file@x.vn"\n')
    cfg = load(f, environ={"PAKN_SERVER__PORT": "7000", "PAKN_MAIL__SENDER": "env@x.vn"},
               overrides={"server.port": "8000"})
    assert cfg.server.port == 8000          # flag beats env
    assert cfg.mail.sender == "env@x.vn"    # env beats file
    assert cfg.server.host == "0.0.0.0"     # file beats default
    assert cfg.events.backend == "inprocess"  # default


@pytest.mark.parametrize("overrides, message", [
    ({"server.port": "http"}, "expected a number"),
    ({"events.backend": "kafka"}, "not one of"),
    ({"server.nope": "1"}, "unknown setting"),
    ({"metrics.enabled": "maybe"}, "true or false"),
])
def test_bad_settings_are_named(overrides, message):
    with pytest.raises(ConfigError, match=message):
        load(environ={}, overrides=overrides)


def test_print_redacts_secrets_and_url_credentials():
    cfg = load(environ={
        "PAKN_DATABASE__URL": "postgresql://pakn:s3cret@db:5432/pakn",
        "PAKN_SECURITY__CONTACT_KEY": "very-secret-key",
        "PAKN_MEDIA__S3_SECRET_KEY": "minio-secret",
    })
    text = to_toml(as_dict(cfg))
    assert "s3cret" not in text and "very-secret-key" not in text and "minio-secret" not in text
    assert 'url = "postgresql://***@db:5432/pakn"' in text
    assert "[security]" in text and 'contact_key = "***"' in text


def test_client_address_defaults_to_the_server():
    cfg = load(environ={"PAKN_SERVER__HOST": "0.0.0.0", "PAKN_SERVER__PORT": "50099",
                        "PAKN_CLIENTS__ROUTING": "routing:50051"})
    assert cfg.client_address("intake") == "127.0.0.1:50099"
    assert cfg.client_address("routing") == "routing:50051"
