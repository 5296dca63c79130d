"""The built-in Word report templates (built by ``python -m xlsx_tool.report.build``)."""
