# Parley: `make run` serves the demo on http://127.0.0.1:8080; `make test`
# runs every test. Both install what is missing and set up the local
# PostgreSQL cluster under var/ first.

CC	?= cc
WARN	= -Wall -Wextra -Wmissing-prototypes -Wshadow -Werror
CFLAGS	+= -std=gnu11 -O2 -g -fPIC $(WARN) -D_GNU_SOURCE
LIBS	= -lsodium -ljansson -lmd4c -lunistring -lz -lcurl

# Domain code: no Kore types, linked into the module and the unit tests.
DOMAIN	= buf escape markdown query cursor thread page_lang input comment_input \
	  account_input config assets token password keys edit_policy timefmt \
	  avatar wordlist origin settings moderation netaddr cache hook_sign \
	  announce ca_bundle chroot_etc hook_net verdict_body delivery \
	  feed mail stream_caps metrics replica_lag
# The importer's parsers: Kore-free too, on libxml2 (its flags are read
# when a unit is compiled, like Kore's: set-up installs it).
IMPORT	= import_html import_xml import_jsonl
# Import and export on libpq (Kore-free): parley-import and the module.
IMPORT_DB = import_store import_run import_job export
XML_CFLAGS = $$(pkg-config --cflags libxml-2.0)
XML_LIBS   = -lxml2
# The Kore side: handlers, HTTP helpers, storage, process set-up.
KORE	= api db store auth pwtask verdict admin listen pgconn replica sites \
	  module sandbox \
	  deliver_thread \
	  handler_comments \
	  handler_comment handler_vote handler_auth handler_counts \
	  handler_preview handler_thread_page handler_site \
	  handler_admin_comments handler_admin_settings handler_admin_bans \
	  handler_admin_users handler_admin_hooks handler_admin_posts \
	  handler_admin_audit handler_admin_import import_thread export_task \
	  stream spawn handler_feed store_feed handler_mail store_mail \
	  page me handler_privacy store_privacy handler_metrics

DOMAIN_OBJ = $(DOMAIN:%=build/%.o)
KORE_OBJ   = $(KORE:%=build/%.o)
UNIT_SRC   = $(wildcard tests/unit/*.c)
HEADERS    = $(wildcard app/*.h)

PORT	?= 8080
DB	?= parley
TEST_DB	?= parley_test

.PHONY: all build deps db run test unit integration browser bench clean stop-db help admin import export

all: build

help:
	@sed -n '1,3p' Makefile | sed 's/^# \{0,1\}//'
	@echo "targets: run test unit integration browser fuzz-smoke fuzz bench lint fmt lint-c fmt-c lint-js fmt-js admin import export build db stop-db clean"

deps:
	@scripts/deps.sh

build: build/parley.so build/parley-passwd build/parley-deliver \
    build/parley-import

# Kore's and libpq's compiler flags exist only once set-up has installed
# them, so they are read when a unit is compiled, from files made after
# set-up ran, never when this Makefile is parsed (a bare machine's first
# build would miss them).
build/kore.flags: | build/
	@scripts/deps.sh
	@test -r /usr/share/kore/features || { echo "build: Kore is not" \
	    "installed (/usr/share/kore/features is missing)" >&2; exit 1; }
	cat /usr/share/kore/features > $@.tmp && mv -f $@.tmp $@
build/pq.flags: | build/
	@scripts/deps.sh
	pkg-config --cflags libpq > $@.tmp && mv -f $@.tmp $@

build/%.o: app/%.c $(HEADERS) build/kore.flags build/pq.flags | build/
	$(CC) $(CFLAGS) $(if $(filter $*,$(KORE)),$$(cat build/kore.flags)) \
	    $(if $(filter $*,deliver mail_send outbox $(IMPORT_DB)),$$(cat build/pq.flags)) \
	    $(if $(filter $*,$(IMPORT) $(IMPORT_DB)),$(XML_CFLAGS)) -c $< -o $@

# Linked aside and renamed: a running Parley keeps its mapping of the old
# file instead of seeing it rewritten under it.
# deliver.o, mail_send.o and outbox.o are Kore-free but need libpq: the
# module's worker thread and parley-deliver both run them.
build/parley.so: $(DOMAIN_OBJ) $(KORE_OBJ) build/deliver.o build/mail_send.o \
    build/outbox.o \
    $(IMPORT:%=build/%.o) $(IMPORT_DB:%=build/%.o)
	$(CC) -shared -o $@.tmp $^ $(LIBS) $(XML_LIBS) -lpq
	mv -f $@.tmp $@

build/parley-passwd: app/tool_passwd.c build/password.o | build/
	$(CC) $(CFLAGS) -o $@ app/tool_passwd.c build/password.o $(LIBS)

# The hook deliverer as a process of its own (Parley's first worker runs
# the same code in a thread): for extra nodes and for tests.
DELIVER_DEPS = deliver delivery buf escape config keys hook_sign ca_bundle \
	       hook_net mail mail_send outbox token origin
build/parley-deliver: app/deliver_main.c $(DELIVER_DEPS:%=build/%.o) $(HEADERS) | build/
	$(CC) $(CFLAGS) -o $@ app/deliver_main.c \
	    $(DELIVER_DEPS:%=build/%.o) -lpq -lcurl -lsodium -lunistring \
	    -ljansson

# The importer (make import): a program of its own, on libpq like the
# deliverer, with the domain code for rendering and the XML readers.
build/parley-import: app/import_main.c $(DOMAIN_OBJ) $(IMPORT:%=build/%.o) \
    build/import_store.o build/import_run.o $(HEADERS) | build/
	$(CC) $(CFLAGS) $(XML_CFLAGS) -o $@ app/import_main.c \
	    $(DOMAIN_OBJ) $(IMPORT:%=build/%.o) build/import_store.o \
	    build/import_run.o $(LIBS) $(XML_LIBS) -lpq

build/:
	@mkdir -p build

# Unit tests run under AddressSanitizer and UBSan, built from the sources.
# (GCC 12 warns falsely about vsnprintf(NULL, 0) when UBSan is on.)
build/unit_tests: $(UNIT_SRC) $(DOMAIN:%=app/%.c) $(IMPORT:%=app/%.c) \
    $(HEADERS) tests/wordlist_ref.h | build/
	$(CC) -std=gnu11 -O1 -g $(WARN) -Wno-missing-prototypes -D_GNU_SOURCE \
	    -Wno-format-truncation \
	    -fsanitize=address,undefined -fno-sanitize-recover=all \
	    -fno-omit-frame-pointer -Iapp $(XML_CFLAGS) \
	    $(DOMAIN:%=app/%.c) $(IMPORT:%=app/%.c) $(UNIT_SRC) -o $@ \
	    $(LIBS) $(XML_LIBS) -lcriterion

db: deps
	@scripts/pg.sh start

# make import FILE=export.xml[.gz] [FORMAT=wxr|disqus] [KEY=id|path]
# [REMAP=moved.txt]: a WordPress or Disqus export into $(DB).
import: deps build db
	@scripts/import.sh "$(FILE)" "$(FORMAT)" "$(KEY)" "$(REMAP)" $(DB)

# make export > parley-export.jsonl.gz: everything in $(DB), from one
# snapshot, as gzipped JSON lines (scripts/export.sh says what is in it).
# Set-up speaks on stderr here: stdout is the export.
export:
	@{ scripts/deps.sh && scripts/pg.sh start; } >&2
	@scripts/export.sh $(DB)

# make admin EMAIL=a@example.org [PASSWORD=...]
admin: deps build db
	@scripts/admin.sh "$(EMAIL)" "$(PASSWORD)" $(DB)

stop-db:
	@scripts/pg.sh stop

run: deps build
	@scripts/run.sh $(PORT) $(DB)

unit: deps build/unit_tests
	ASAN_OPTIONS=detect_leaks=1 build/unit_tests

# A test's helper: a password hash weaker than Parley's.
build/test-weakhash: tests/tools/weakhash.c | build/
	$(CC) $(CFLAGS) -o $@ $< -lsodium

integration: deps build db build/test-weakhash node_modules/.package-lock.json
	@PARLEY_WITH_NODE=1 scripts/deps.sh
	@scripts/pg.sh createdb $(TEST_DB) >/dev/null
	node --test --test-concurrency=1 tests/integration/

# Browser tests: Debian's Chromium driven by playwright-core from npm.
node_modules/.package-lock.json: package.json package-lock.json
	@scripts/deps.sh
	npm ci --no-audit --no-fund --loglevel=error

# What Parley serves (its assets_dir): build/assets/, a copy of assets/
# with the widget minified by esbuild from npm (scripts/build-assets.sh).
build: build/assets.stamp
build/assets.stamp: assets $(wildcard assets/*) scripts/build-assets.sh \
    node_modules/.package-lock.json | build/
	@scripts/build-assets.sh
	@touch $@

# Style. C: clang-format with .clang-format; lint-c fails on any line it
# would change, fmt-c applies it. JavaScript: ESLint with
# eslint.config.mjs; lint-js fails on any finding, fmt-js fixes what it
# can. `make lint` runs both, as CI does.
.PHONY: lint fmt lint-c fmt-c lint-js fmt-js
# The C files, listed when a recipe runs (never when make parses).
C_SOURCES = $$({ git ls-files --cached --others --exclude-standard \
    '*.c' '*.h' 2>/dev/null || find app tests -name '*.[ch]'; } | sort -u)
lint: lint-c lint-js
fmt: fmt-c fmt-js
lint-c:
	@PARLEY_WITH_LINT=1 scripts/deps.sh
	@files="$(C_SOURCES)"; clang-format --dry-run --Werror $$files || { \
	    echo "lint-c: the lines above differ from .clang-format;" \
	        "make fmt-c rewrites them" >&2; exit 1; }; \
	echo "lint-c: $$(echo $$files | wc -w) files as .clang-format says"
fmt-c:
	@PARLEY_WITH_LINT=1 scripts/deps.sh
	@clang-format -i $(C_SOURCES)
JS_DIRS	= assets scripts tests
lint-js: node_modules/.package-lock.json
	node_modules/.bin/eslint $(JS_DIRS)
fmt-js: node_modules/.package-lock.json
	node_modules/.bin/eslint --fix $(JS_DIRS)

browser: deps build db node_modules/.package-lock.json
	@PARLEY_WITH_BROWSER=1 scripts/deps.sh
	node --test --test-concurrency=1 tests/browser/

test: fuzz-smoke unit integration browser

# Fuzzing: a libFuzzer harness per parser (tests/fuzz/fuzz_NAME.c, built
# with Debian's clang under ASan and UBSan), each with a committed seed
# corpus in tests/fuzz/corpus/NAME/. `make fuzz` runs each for
# FUZZ_SECONDS; `make fuzz-smoke` (part of `make test`) replays the
# corpus and runs each for FUZZ_SMOKE_SECONDS. New inputs go to
# build/fuzz/NAME.corpus, crashes to build/fuzz/NAME-crash-*: a crash
# becomes a unit test and a fix. Domain objects are built once for all.
FUZZ_CC		?= clang
FUZZ_SECONDS	?= 180
FUZZ_SMOKE_SECONDS ?= 10
FUZZ_TARGETS	= $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_CFLAGS	= -std=gnu11 -O1 -g $(WARN) -D_GNU_SOURCE -Iapp \
		  -fsanitize=address,undefined -fno-sanitize-recover=all \
		  -fno-omit-frame-pointer
FUZZ_RUN	= -timeout=10 -rss_limit_mb=2048 -print_final_stats=0 \
		  -artifact_prefix=build/fuzz/$$t-crash-

.PHONY: fuzz fuzz-smoke fuzz-build
# Kept between runs, though only the harnesses name them.
.PRECIOUS: build/fuzz/%.o
build/fuzz/.deps: | build/
	@PARLEY_WITH_FUZZ=1 scripts/deps.sh
	@mkdir -p build/fuzz && touch $@
build/fuzz/%.o: app/%.c $(HEADERS) build/fuzz/.deps
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(if $(filter $*,$(IMPORT)),$(XML_CFLAGS)) \
	    -fsanitize=fuzzer-no-link -c $< -o $@
build/fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(DOMAIN:%=build/fuzz/%.o) \
    $(IMPORT:%=build/fuzz/%.o) tests/wordlist_ref.h
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(XML_CFLAGS) -fsanitize=fuzzer $< \
	    $(DOMAIN:%=build/fuzz/%.o) $(IMPORT:%=build/fuzz/%.o) -o $@ \
	    $(LIBS) $(XML_LIBS)
fuzz-build: deps $(FUZZ_TARGETS:%=build/fuzz/fuzz_%)
fuzz: fuzz-build
	@for t in $(FUZZ_TARGETS); do echo "== fuzz $$t ($(FUZZ_SECONDS) s)"; \
	    mkdir -p build/fuzz/$$t.corpus && build/fuzz/fuzz_$$t $(FUZZ_RUN) \
	    -max_total_time=$(FUZZ_SECONDS) build/fuzz/$$t.corpus \
	    tests/fuzz/corpus/$$t || exit 1; done
fuzz-smoke: fuzz-build
	@for t in $(FUZZ_TARGETS); do echo "== fuzz-smoke $$t"; \
	    build/fuzz/fuzz_$$t $(FUZZ_RUN) -runs=0 tests/fuzz/corpus/$$t \
	    2>build/fuzz/$$t.log || { cat build/fuzz/$$t.log; exit 1; }; \
	    mkdir -p build/fuzz/$$t.corpus && build/fuzz/fuzz_$$t $(FUZZ_RUN) \
	    -max_total_time=$(FUZZ_SMOKE_SECONDS) build/fuzz/$$t.corpus \
	    tests/fuzz/corpus/$$t 2>build/fuzz/$$t.log || \
	    { tail -n 60 build/fuzz/$$t.log; exit 1; }; done

# Benchmarks print a table and write it under bench-results/.
bench: deps build
	@PARLEY_WITH_BENCH=1 scripts/deps.sh
	@for b in tests/bench/*.sh; do echo "== $$b"; $$b || exit 1; done

clean:
	rm -rf build
