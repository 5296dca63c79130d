"""The local web page (``xlsx-tool serve``): the clerk's whole job and the review office's batch
in a browser, on FastAPI + uvicorn + Jinja2, every asset served locally.

Layers, top to bottom: :mod:`.server` (bind, print, run) → :mod:`.app` (the application) →
:mod:`.security` (host, session, access code, origin, headers) → :mod:`.clerk_pages` and
:mod:`.review_pages` (the routes) → :mod:`.intake`, :mod:`.uploads`, :mod:`.sniff`,
:mod:`.archive` (taking files in) → :mod:`.pool` → :mod:`.work` and :mod:`.review_work` (the
package's own functions, in worker processes) → :mod:`.view` (what the result page shows).
:mod:`.sessions` keeps each browser's files apart; :mod:`.config` holds every limit;
:mod:`.features` finds the optional parts of the package lazily.
"""
