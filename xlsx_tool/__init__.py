"""xlsx_tool: 政府信息公开工作年度报告 — fill-in Excel template, checks, Word report."""
__version__ = "0.1.0"
