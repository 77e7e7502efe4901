"""The dashboard: server-rendered pages for school leaders and the district office at ``/web/``.

``views`` (pages, login, CSRF), ``data`` (the one module between pages and the district's
data and scoring), ``charts`` (pygal SVG), ``tables`` (fault closes, alerts, digests),
``demo`` (the demo district; ``python -m district.web.demo`` serves it).
"""
