"""Size limits shared by `perfxl generate` and `perfxl validate`: one home for each.

A roster beyond them is refused before anything is written, so every workbook perfxl
generates is one its own validator accepts, and memory stays bounded whatever the roster.
docs/hostile-files.md lists them (its table is generated from this module).
"""

from __future__ import annotations

# Projects in one department's workbook. The validator rebuilds a workbook's layout only for
# 0..MAX_PROJECTS projects (F07 beyond); 500 projects make a 6 MB workbook of 37 MB XML.
MAX_PROJECTS = 500

# The largest amount in 万元 (ten thousand yuan) a form cell takes: the amount inputs' data
# validation accepts 0..MAX_AMOUNT, and issued figures stay below it, so every sum the
# form computes (at most 503 amounts of a column) is a finite number.
MAX_AMOUNT = 1e9

# A roster table (one sheet or one CSV file): rows read, header included, and columns read.
ROSTER_MAX_ROWS = 50_000
ROSTER_MAX_COLUMNS = 100
# A CSV roster file on disk, and one line of it (characters): the file is read line by line,
# so memory follows the rows kept, not the file.
ROSTER_MAX_CSV_MB = 50
ROSTER_MAX_LINE = 1_000_000
