# Every target goes through scripts/dev.py, which needs nothing but Python 3.11.
PY ?= python3
ADDRESS ?= 127.0.0.1:50051

.PHONY: install run test chaos bench proto proto-check lint demo clean

install:            ## .venv with the platform and the test tools
	$(PY) scripts/dev.py install

run:                ## the whole platform in one process (SQLite, local media, in-process events)
	$(PY) scripts/dev.py run

test:               ## contracts check + the whole suite (PostgreSQL, RabbitMQ, S3, SMTP included)
	$(PY) scripts/dev.py test

chaos:              ## only the chaos group: broker, database and worker faults in microservices mode
	$(PY) scripts/dev.py chaos

bench:              ## submissions/s, p50/p99 in both modes beside bare gRPC and PostgreSQL; 200 MB upload memory
	$(PY) scripts/dev.py bench

proto: install      ## regenerate gen/ from proto/
	.venv/bin/python scripts/gen_protos.py

proto-check: install
	.venv/bin/python scripts/gen_protos.py --check
	.venv/bin/buf lint proto

lint:               ## ruff over every Python folder (the same as the test command), buf lint over proto/
	$(PY) scripts/dev.py lint

demo: install       ## the walkthrough against a running platform (make run in another terminal)
	.venv/bin/pakn --address $(ADDRESS) demo

clean:
	rm -rf var .pytest_cache
