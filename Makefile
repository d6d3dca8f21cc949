# The README's commands. `make run` for the demo on SQLite, `make test` for the suite on PostgreSQL.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres

.PHONY: run test lint check-postgres demo-data demo-reset bench-search bench backup-drill soak clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# The demo content is loaded into an empty database only, so edits made in the demo's admin
# survive a restart; `make demo-reset` starts the SQLite demo afresh.
demo-data: $(BIN)/.installed
	$(BIN)/python manage.py migrate --noinput
	@entries=$$($(BIN)/python manage.py shell --no-imports -c "from catalog.models import Policy; print(Policy.objects.count())") && \
	if [ "$$entries" = 0 ]; then \
		$(BIN)/python manage.py loaddata reference demo_policies demo_rules demo_services; \
	else \
		echo "Demo content already loaded and kept as it is (make demo-reset loads it afresh)."; \
	fi
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0

demo-reset:
	@if [ -n "$$DATABASE_URL" ]; then echo "demo-reset resets the SQLite demo only: unset DATABASE_URL."; exit 1; fi
	rm -f db.sqlite3
	$(MAKE) run

run: demo-data
	@echo "政策直达 demo: http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

check-postgres: $(BIN)/.installed
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(BIN)/python manage.py checkdb

test: check-postgres
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(BIN)/pytest
	@echo "== the read-replica router, the replica mirroring the test database"
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" DATABASE_REPLICA_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" $(BIN)/pytest tests/test_replica.py
	@echo "== search on the SQLite demo engine"
	DATABASE_URL=sqlite:///$(CURDIR)/build/test-search.sqlite3 $(BIN)/pytest tests/test_search.py

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# Scratch database on the local PostgreSQL (PGHOST/PGUSER as for psql); dropped afterwards.
# Seeding inserts 2,000 entries a statement, which can outlast the app's 10 s statement timeout.
BENCH_DB ?= portal_bench
bench-search bench: export DJANGO_DB_STATEMENT_TIMEOUT_MS ?= 0
BENCH_SIZES ?= 1000,10000,100000
bench-search: $(BIN)/.installed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	dropdb --if-exists -h $${PGHOST:-127.0.0.1} -U $${PGUSER:-postgres} $(BENCH_DB)
	createdb -h $${PGHOST:-127.0.0.1} -U $${PGUSER:-postgres} $(BENCH_DB)
	DATABASE_URL=postgres://$${PGUSER:-postgres}@$${PGHOST:-127.0.0.1}:5432/$(BENCH_DB) $(BIN)/python manage.py migrate -v0
	DATABASE_URL=postgres://$${PGUSER:-postgres}@$${PGHOST:-127.0.0.1}:5432/$(BENCH_DB) $(BIN)/python manage.py bench_search --sizes $(BENCH_SIZES)
	dropdb -h $${PGHOST:-127.0.0.1} -U $${PGUSER:-postgres} $(BENCH_DB)

# Dump the configured database (DATABASE_URL), restore it into a scratch database and compare
# every catalogue table; the dump is kept at BACKUP_FILE.
BACKUP_FILE ?= build/portal-$(shell date +%Y%m%d-%H%M%S).dump
backup-drill: $(BIN)/.installed
	mkdir -p $(dir $(BACKUP_FILE))
	$(BIN)/python manage.py backup_drill --output $(BACKUP_FILE)

# Load soak with wrk against gunicorn on the demo content, on a scratch PostgreSQL database.
SOAK_SECONDS ?= 30
SOAK_CONNECTIONS ?= 32
soak: $(BIN)/.installed
	SOAK_SECONDS=$(SOAK_SECONDS) SOAK_CONNECTIONS=$(SOAK_CONNECTIONS) PYTHON=$(BIN)/python scripts/soak

# The public pages at each size: queries, cold and warm server time, gunicorn under wrk (apt-get
# install wrk), page weight. Set BENCH_REDIS_URL (a Redis database of its own: the benchmark
# clears it) to measure with Redis rather than each process's memory.
BENCH_REDIS_URL ?=
BENCH_WRK ?= -t1 -c16 -d20s
bench: $(BIN)/.installed
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	dropdb --if-exists -h $${PGHOST:-127.0.0.1} -U $${PGUSER:-postgres} $(BENCH_DB)
	createdb -h $${PGHOST:-127.0.0.1} -U $${PGUSER:-postgres} $(BENCH_DB)
	DATABASE_URL=postgres://$${PGUSER:-postgres}@$${PGHOST:-127.0.0.1}:5432/$(BENCH_DB) $(BIN)/python manage.py migrate -v0
	DATABASE_URL=postgres://$${PGUSER:-postgres}@$${PGHOST:-127.0.0.1}:5432/$(BENCH_DB) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python manage.py bench --sizes $(BENCH_SIZES) --wrk="$(BENCH_WRK)"
	dropdb -h $${PGHOST:-127.0.0.1} -U $${PGUSER:-postgres} $(BENCH_DB)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 *.egg-info
