# Two commands that work on a fresh machine with only Python 3.11:
#   make demo   generate the example roster's workbooks into out/, validate the sample
#               returned files in examples/returned/ (exit 1 there means findings), then run
#               a two-wave season: round init, validate --round, status, consolidate
#   make test   run the test suite (LibreOffice tests need soffice; see .ci/run)
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-validate screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]' -c constraints.txt
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/perfxl generate --roster examples/roster.xlsx --year 2025 --out out/ --date 2026-01-05 --force
	$(BIN)/perfxl generate --blank --projects 3 --year 2025 -o out/空白自评表_3个项目.xlsx --date 2026-01-05 --force
	$(BIN)/perfxl validate examples/returned/ --year 2025 --roster examples/roster.xlsx \
		--summary out/校验汇总.xlsx --annotate out/校验结果/ --force -o out/校验报告.html || test $$? -eq 1
	$(BIN)/perfxl validate examples/returned/ --year 2025 --roster examples/roster.xlsx || test $$? -eq 1
	@echo "--- the season: a round in two waves (out/2025自评) ---"
	rm -rf out/2025自评
	$(BIN)/perfxl round init out/2025自评 --roster examples/roster.xlsx --year 2025 --deadline 2026-03-31
	$(BIN)/perfxl validate examples/returned/ --round out/2025自评 --annotate out/第1批退回/ --force \
		-o out/第1批校验报告.html || test $$? -eq 1
	$(BIN)/perfxl validate examples/resubmitted/ --round out/2025自评 --annotate out/第2批退回/ --force \
		|| test $$? -eq 1
	$(BIN)/perfxl status --round out/2025自评 -o out/提交情况.xlsx --force
	$(BIN)/perfxl status --round out/2025自评
	$(BIN)/perfxl consolidate --round out/2025自评 -o out/2025自评汇总.xlsx --report out/2025自评情况报告.docx --force

test: $(STAMP)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/generate.py
	$(BIN)/python bench/generate_memory.py

bench-validate: $(STAMP)
	$(BIN)/python bench/validate.py --libreoffice 10

screenshots: $(STAMP)
	$(BIN)/python docs/make_screenshots.py

clean:
	rm -rf $(VENV) out .pytest_cache
