"""Word report templates (built by ``python -m xlsx_tool.templates.build``)."""
