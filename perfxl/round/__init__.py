"""A round: the office's season in one folder — every submission remembered (season.Round),
where each department stands (status), and the consolidated result (consolidation, stats,
workbook, report_docx)."""
