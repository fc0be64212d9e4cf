# samlast — top-level entry points.  Meson + Ninja do the building; this file
# installs what is missing and strings the steps together.
#
#   make            build build/samlast
#   make deps       install missing Debian packages and npm modules (idempotent)
#   make demo       deps, build, generate and import the demo city, compute its
#                   emissions, print KPIs, then serve the dashboard
#                   (DEMO_SERVE=0 stops after the KPIs)
#   make test       deps, build, all tests; again under ASan+UBSan; prints
#                   a final "N passed, N failed" line
#   make bench      benchmarks (see bench/RESULTS.md)
#   make fuzz       build the libFuzzer targets with clang and run each briefly
#   make install PREFIX=/usr/local

PREFIX ?= /usr/local
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
DEMO_DB ?= demo.db
DEMO_DIR ?= demo-data
DEMO_SEED ?= 1
DEMO_SERVE ?= 1
DEMO_DAY ?= 2025-10-06
DEMO_PLAN_DAY ?= 2026-01-12
DEMO_LISTEN ?= 127.0.0.1:8080

DEB_PACKAGES = build-essential meson ninja-build pkg-config python3 clang \
	libsqlite3-dev libjansson-dev libyajl-dev libxml2-dev libsodium-dev \
	libmicrohttpd-dev libreadosm-dev libxlsxwriter-dev libcairo2-dev \
	libcriterion-dev libclang-rt-14-dev sqlite3 chromium python3-yaml curl jq

SAMLAST = $(BUILD)/samlast

.PHONY: all deps build demo test test-plain test-asan bench bench-vrp fuzz install clean web

all: build

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "make deps: installing$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@# Node.js may come from another apt source that bundles npm: check the commands.
	@if ! command -v npm >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nodejs npm; fi
	@if [ -f web/package.json ] && [ ! -d web/node_modules ]; then \
		echo "make deps: npm ci in web/"; (cd web && npm ci --no-audit --no-fund --loglevel=error); fi

$(BUILD)/build.ninja:
	meson setup $(BUILD) --prefix=$(PREFIX)

build: $(BUILD)/build.ninja
	@if [ -f web/package.json ]; then $(MAKE) --no-print-directory web; fi
	ninja -C $(BUILD)

web:
	@if [ -f web/package.json ]; then \
		[ -d web/node_modules ] || (cd web && npm ci --no-audit --no-fund --loglevel=error); \
		(cd web && npm run --silent build); fi

demo: deps build
	@rm -rf $(DEMO_DIR) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm
	$(SAMLAST) demo-data --seed $(DEMO_SEED) --out $(DEMO_DIR)
	$(SAMLAST) init --db $(DEMO_DB)
	$(SAMLAST) import --db $(DEMO_DB) --kind organisations $(DEMO_DIR)/organisations.csv
	$(SAMLAST) import --db $(DEMO_DB) --kind sites $(DEMO_DIR)/sites.csv
	$(SAMLAST) import --db $(DEMO_DB) --kind contracts $(DEMO_DIR)/contracts.csv
	$(SAMLAST) import --db $(DEMO_DB) --kind vehicles $(DEMO_DIR)/vehicles.csv
	$(SAMLAST) import --db $(DEMO_DB) --kind trips $(DEMO_DIR)/trips.csv
	$(SAMLAST) import --db $(DEMO_DB) --kind orders $(DEMO_DIR)/orders.csv
	$(SAMLAST) import --db $(DEMO_DB) --kind deliveries $(DEMO_DIR)/deliveries.csv
	$(SAMLAST) announce --db $(DEMO_DB) $(DEMO_DIR)/announcements.csv
	$(SAMLAST) emissions recompute --db $(DEMO_DB)
	$(SAMLAST) kpi --db $(DEMO_DB)
	@echo; echo "== The groupage place (full reports in $(DEMO_DIR)/*.txt, Excel in $(DEMO_DIR)/ordering.xlsx)"
	$(SAMLAST) baseline set --db $(DEMO_DB) --default --from 2025-01-13 --to 2025-03-09 --note "demo baseline: first eight school weeks"
	$(SAMLAST) board --db $(DEMO_DB) --date $(DEMO_DAY) > $(DEMO_DIR)/board.txt && head -n 1 $(DEMO_DIR)/board.txt
	$(SAMLAST) board --db $(DEMO_DB) --date $(DEMO_PLAN_DAY) > $(DEMO_DIR)/board-planned.txt && head -n 1 $(DEMO_DIR)/board-planned.txt
	$(SAMLAST) pooling --db $(DEMO_DB) --date $(DEMO_PLAN_DAY) > $(DEMO_DIR)/pooling-planned.txt && tail -n 1 $(DEMO_DIR)/pooling-planned.txt
	$(SAMLAST) pooling --db $(DEMO_DB) --date $(DEMO_DAY) --days 5 > $(DEMO_DIR)/pooling.txt && tail -n 1 $(DEMO_DIR)/pooling.txt
	$(SAMLAST) ordering --db $(DEMO_DB) --xlsx $(DEMO_DIR)/ordering.xlsx > $(DEMO_DIR)/ordering.txt && grep "^City:" $(DEMO_DIR)/ordering.txt
	$(SAMLAST) followup --db $(DEMO_DB) --from 2025-09-01 --to 2025-12-21 > $(DEMO_DIR)/followup.txt && tail -n 2 $(DEMO_DIR)/followup.txt
	@if [ "$(DEMO_SERVE)" = 1 ]; then \
		token=$$($(SAMLAST) token create --db $(DEMO_DB) --role admin --label demo); \
		echo; echo "Dashboard and API: http://$(DEMO_LISTEN)/"; \
		echo "Demo admin token:  $$token"; \
		echo "(Ctrl-C stops the server; 'make demo DEMO_SERVE=0' skips it)"; echo; \
		exec $(SAMLAST) serve --db $(DEMO_DB) --listen $(DEMO_LISTEN); \
	fi

test: deps build
	@rm -f $(BUILD)/meson-logs/testlog.json $(ASAN_BUILD)/meson-logs/testlog.json
	-meson test -C $(BUILD) --print-errorlogs --num-processes 2
	@[ -f $(ASAN_BUILD)/build.ninja ] || meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined -Db_lundef=false -Dbench=false
	ninja -C $(ASAN_BUILD)
	-meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes 2 --no-suite browser --no-suite slow
	@python3 tools/test_summary.py $(BUILD)/meson-logs/testlog.json $(ASAN_BUILD)/meson-logs/testlog.json

bench: build
	@sh bench/run.sh $(BUILD)

bench-vrp: build
	@sh bench/vrp.sh $(BUILD)

fuzz:
	@[ -f $(FUZZ_BUILD)/build.ninja ] || CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Dtests=false -Dbench=false -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false
	ninja -C $(FUZZ_BUILD)
	@sh fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

install: build
	meson install -C $(BUILD) --destdir "$(DESTDIR)"

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) web/dist
