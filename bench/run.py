"""`make bench`: how fast intake takes submissions, next to this machine's own baselines.

Machines here are noisy, so every figure is reported beside baselines measured in the same run:
- a bare gRPC round trip (an echo server, same process layout as the platform's API);
- a bare PostgreSQL commit (one-row INSERT and COMMIT on the same server the platform uses);
then SubmitCase in monolithic mode (SQLite, in-process events) and in microservices mode (intake
process on PostgreSQL, events to RabbitMQ), sequential and with concurrent clients: throughput
and p50/p99 latency, with ratios to the baselines. Last, the peak memory (VmHWM) of an intake
process while a 200 MB video is streamed to it, next to its peak before the upload.

    python -m bench.run [--n 300] [--concurrency 8] [--video-mb 200] [--json bench/results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent import futures
from pathlib import Path
from typing import Callable

import grpc

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def measure(call: Callable[[int], None], n: int, concurrency: int) -> dict:
    """Run `call(i)` n times on `concurrency` threads; latencies in ms, throughput per second."""
    latencies: list[float] = []
    lock = threading.Lock()

    def one(i: int) -> None:
        t0 = time.perf_counter()
        call(i)
        dt = (time.perf_counter() - t0) * 1000
        with lock:
            latencies.append(dt)

    for i in range(min(20, n)):  # warm-up
        call(-1 - i)
    start = time.perf_counter()
    with futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(n)))
    elapsed = time.perf_counter() - start
    return {"n": n, "concurrency": concurrency, "per_second": round(n / elapsed, 1),
            "p50_ms": round(percentile(latencies, 50), 3), "p99_ms": round(percentile(latencies, 99), 3),
            "mean_ms": round(statistics.fmean(latencies), 3)}


# -- baselines ----------------------------------------------------------------------------------

def bare_grpc(n: int, concurrency: int) -> dict:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=32))
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(
        "bench.Echo", {"Echo": grpc.unary_unary_rpc_method_handler(lambda req, ctx: req)}),))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
            echo = ch.unary_unary("/bench.Echo/Echo")
            payload = b"x" * 300  # about the size of a SubmitCaseRequest
            return measure(lambda _i: echo(payload, timeout=10), n, concurrency)
    finally:
        server.stop(0)


def bare_postgres(url: str, n: int, concurrency: int) -> dict:
    import sqlalchemy as sa

    engine = sa.create_engine(url, pool_size=concurrency, max_overflow=0)
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS bench_commit (id uuid PRIMARY KEY, body text)")

    def commit(_i: int) -> None:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO bench_commit VALUES (:id, :b)"),
                         {"id": str(uuid.uuid4()), "b": "x" * 300})

    try:
        return measure(commit, n, concurrency)
    finally:
        engine.dispose()


# -- the platform -------------------------------------------------------------------------------

def start_process(target: str, env: dict, port: int) -> subprocess.Popen:
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    proc = subprocess.Popen([sys.executable, "-m", "runtime.cli", "serve", f"--target={target}", f"--port={port}"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    deadline = time.monotonic() + 60
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = health_pb2_grpc.HealthStub(ch)
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{target} exited: {proc.stderr.read().decode(errors='replace')[-2000:]}")
            try:
                if stub.Check(health_pb2.HealthCheckRequest(service="pakn.intake.v1.IntakeService"),
                              timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                    return proc
            except grpc.RpcError:
                pass
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{target} did not become ready")


def stop_process(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def submissions(port: int, n: int, concurrency: int) -> dict:
    from google.protobuf import timestamp_pb2

    from pakn.common.v1 import common_pb2
    from pakn.intake.v1 import intake_pb2, intake_pb2_grpc

    when = timestamp_pb2.Timestamp()
    when.GetCurrentTime()
    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        stub = intake_pb2_grpc.IntakeServiceStub(ch)

        def submit(i: int) -> None:
            stub.SubmitCase(intake_pb2.SubmitCaseRequest(
                channel=common_pb2.CHANNEL_MOBILE_APP, request_id=str(uuid.uuid4()),
                content=f"Đèn chiếu sáng công cộng số {i} trên đường 30 Tháng 4 bị hỏng, cần thay mới sớm.",
                location=common_pb2.Location(address="Đường 30 Tháng 4, phường Tân Ninh"), occurred_at=when,
                submitter=intake_pb2.Submitter(full_name="Người Thử Tải", phone="0912345678",
                                               email="thu.tai@example.vn")), timeout=30)

        return measure(submit, n, concurrency)


def vm_hwm_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def video_upload_memory(port: int, pid: int, megabytes: int) -> dict:
    from pakn.common.v1 import common_pb2
    from pakn.intake.v1 import intake_pb2, intake_pb2_grpc

    before = vm_hwm_kib(pid)
    chunk = b"\x00" * (1024 * 1024)

    def stream():
        yield intake_pb2.UploadMediaRequest(header=common_pb2.MediaUploadHeader(filename="video.mp4"))
        # An MP4 whose boxes chain to the end: ftyp, then one mdat holding the rest.
        mdat = megabytes * 1024 * 1024 - 24
        yield intake_pb2.UploadMediaRequest(chunk=b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 12
                                            + mdat.to_bytes(4, "big") + b"mdat" + b"\x00" * (1024 * 1024 - 32))
        for _ in range(megabytes - 1):
            yield intake_pb2.UploadMediaRequest(chunk=chunk)

    with grpc.insecure_channel(f"127.0.0.1:{port}") as ch:
        t0 = time.perf_counter()
        media = intake_pb2_grpc.IntakeServiceStub(ch).UploadMedia(stream(), timeout=300).media
        seconds = time.perf_counter() - t0
    after = vm_hwm_kib(pid)
    return {"video_mb": megabytes, "stored_bytes": media.size_bytes, "content_type": media.content_type,
            "seconds": round(seconds, 2), "peak_rss_before_mib": round(before / 1024, 1),
            "peak_rss_after_mib": round(after / 1024, 1), "growth_mib": round((after - before) / 1024, 1),
            "growth_per_video_mb": round((after - before) / 1024 / megabytes, 4)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--video-mb", type=int, default=200)
    parser.add_argument("--json", default="")
    args = parser.parse_args()

    from cryptography.fernet import Fernet

    from tests.infra import create_database, create_vhost, free_port

    results: dict = {"machine": {"cpus": os.cpu_count()}, "runs": {}}
    pg_url, drop_db = create_database()
    amqp, drop_vhost = create_vhost()
    from runtime.crypto import KEY_NAMES

    keys = {f"PAKN_SECURITY__{k.upper()}": Fernet.generate_key().decode() for k in KEY_NAMES}
    try:
        for c in (1, args.concurrency):
            results["runs"][f"bare_grpc_c{c}"] = bare_grpc(args.n, c)
            results["runs"][f"bare_postgres_commit_c{c}"] = bare_postgres(pg_url, args.n, c)
        with tempfile.TemporaryDirectory() as tmp:
            base = {**os.environ, "PAKN_DATA_DIR": tmp, "PAKN_METRICS__ENABLED": "false", "PAKN_LOG_LEVEL": "WARNING",
                    "PAKN_MEDIA__MAX_BYTES": str((args.video_mb + 10) * 1024 * 1024)}
            modes = {
                "monolith": ("all", base),
                "microservices": ("intake", {**base, **keys, "PAKN_DATABASE__URL": pg_url,
                                             "PAKN_EVENTS__BACKEND": "rabbitmq", "PAKN_EVENTS__AMQP_URI": amqp}),
            }
            for mode, (target, env) in modes.items():
                port = free_port()
                proc = start_process(target, env, port)
                try:
                    for c in (1, args.concurrency):
                        results["runs"][f"{mode}_submit_c{c}"] = submissions(port, args.n, c)
                    if mode == "monolith":
                        results["video_upload"] = video_upload_memory(port, proc.pid, args.video_mb)
                finally:
                    stop_process(proc)
    finally:
        drop_vhost()
        drop_db()

    runs = results["runs"]
    ratios = {}
    for mode in ("monolith", "microservices"):
        for c in (1, args.concurrency):
            r, g, p = runs[f"{mode}_submit_c{c}"], runs[f"bare_grpc_c{c}"], runs[f"bare_postgres_commit_c{c}"]
            ratios[f"{mode}_c{c}"] = {
                "p50_vs_grpc": round(r["p50_ms"] / g["p50_ms"], 2), "p99_vs_grpc": round(r["p99_ms"] / g["p99_ms"], 2),
                "p50_vs_pg_commit": round(r["p50_ms"] / p["p50_ms"], 2),
                "throughput_vs_grpc": round(r["per_second"] / g["per_second"], 3),
                "throughput_vs_pg_commit": round(r["per_second"] / p["per_second"], 3),
            }
    results["ratios"] = ratios

    print(f"{'run':34} {'per s':>9} {'p50 ms':>9} {'p99 ms':>9}")
    for name, r in runs.items():
        print(f"{name:34} {r['per_second']:9.1f} {r['p50_ms']:9.3f} {r['p99_ms']:9.3f}")
    print("\nratios (platform ÷ baseline, same run):")
    for name, r in ratios.items():
        print(f"  {name:18} " + "  ".join(f"{k}={v}" for k, v in r.items()))
    v = results["video_upload"]
    print(f"\n{v['video_mb']} MB video upload: {v['seconds']} s; intake peak RSS {v['peak_rss_before_mib']} MiB → "
          f"{v['peak_rss_after_mib']} MiB (+{v['growth_mib']} MiB, {v['growth_per_video_mb']} MiB per MB uploaded)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
