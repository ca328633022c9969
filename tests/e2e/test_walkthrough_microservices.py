"""The walking skeleton in microservices mode: one process per service API and a worker process,
PostgreSQL (a schema per service), RabbitMQ through nameko, SeaweedFS as S3, a real SMTP server."""

from __future__ import annotations

import grpc
import pytest
import sqlalchemy as sa
from grpc_health.v1 import health_pb2, health_pb2_grpc
from minio import Minio

from runtime import demo, walkthrough
from tests.e2e.cluster import Cluster
from tests.helpers import eventually

pytestmark = [pytest.mark.e2e, pytest.mark.postgres, pytest.mark.rabbitmq, pytest.mark.s3, pytest.mark.smtp,
              pytest.mark.slow]

EMAIL = "binh.tran@example.vn"


@pytest.mark.timeout(300)  # eight processes to start, and the demo's accounts hashed with argon2id
def test_one_case_through_six_processes(tmp_path, postgres_url, amqp_uri, seaweedfs, smtp_server):
    cluster = Cluster(tmp_path / "cluster", postgres_url, amqp_uri, seaweedfs, smtp_server)
    try:
        cluster.start()
        # Mutual TLS between the processes (docs/pki.md): without a certificate nothing answers.
        with grpc.insecure_channel(f"127.0.0.1:{cluster.ports['intake']}") as plain, \
                pytest.raises(grpc.RpcError) as refused:
            health_pb2_grpc.HealthStub(plain).Check(health_pb2.HealthCheckRequest(), timeout=5)
        assert refused.value.code() == grpc.StatusCode.UNAVAILABLE
        # Each step as its role's account, logged in at the identity target's token endpoint over HTTP.
        config = cluster.config()
        cast = demo.cast(config, demo.ensure_accounts(config))
        try:
            out = walkthrough.run(cast, email=EMAIL)
        finally:
            cast.close()
        assert len(out.answer.answers) == 2
        assert out.evidence_bytes > 0  # streamed from the public copy in S3
        assert out.summary.cases_handled_on_time >= 1 and out.summary.rated_satisfied >= 1

        # E-mail went over SMTP: the tracking code on reception, then the publication.
        mails = eventually(lambda: len(smtp_server.to(EMAIL)) >= 2 and smtp_server.to(EMAIL), timeout=30)
        assert any(out.tracking_code in m.get_content() for m in mails)

        # Media went to S3: the citizen's photo and both units' evidence.
        s3 = Minio(seaweedfs.endpoint, access_key=seaweedfs.access_key, secret_key=seaweedfs.secret_key,
                   secure=False)
        keys = [o.object_name for o in s3.list_objects("pakn-e2e", recursive=True)]
        assert sum(k.startswith("intake/") for k in keys) >= 1
        assert sum(k.startswith("processing/") for k in keys) >= 2

        # Each service kept its own schema; personal data only in intake's, and encrypted.
        engine = sa.create_engine(postgres_url)
        with engine.connect() as conn:
            schemas = set(conn.execute(sa.text(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = 'outbox'")).scalars())
            assert schemas == {"intake", "routing", "processing", "publication", "notification", "reporting"}
            # The issuer's accounts in a schema of their own, the passwords hashed (argon2id).
            hashes = conn.execute(sa.text("SELECT password_hash FROM identity.users")).scalars().all()
            assert len(hashes) == len(demo.demo_users()) and all(h.startswith("$argon2id$") for h in hashes)
            blob = conn.execute(sa.text("SELECT contact_enc FROM intake.cases WHERE case_id = :c"),
                                {"c": out.case_id}).scalar_one()
            assert EMAIL.encode() not in bytes(blob)
        engine.dispose()
    finally:
        codes = cluster.stop()
    # SIGTERM drains and exits cleanly, and nothing went wrong on the way.
    assert all(code == 0 for code in codes.values()), codes
    for log in (tmp_path / "cluster").glob("*.log"):
        text = log.read_text(errors="replace")
        assert '"level": "ERROR"' not in text and "Traceback" not in text, f"{log.name}:\n{text[-3000:]}"
        assert EMAIL not in text
