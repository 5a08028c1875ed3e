"""The channel managers' web console, served by the vendor server at /console/.

Server-rendered pages (Jinja2) over the vendor operations in `workbench.server.admin`; a few
lines of plain JavaScript keep the SLA clocks ticking. `install(app)` adds it to the API app.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from workbench.server.console import (
    auth,
    cases,
    content,
    deals,
    leads,
    mdf,
    partners,
    program,
    queue,
)
from workbench.server.console.web import HERE


def install(app: FastAPI) -> None:
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")
    for module in (auth, queue, leads, cases, deals, mdf, content, partners, program):
        app.include_router(module.router, include_in_schema=False)
    app.add_exception_handler(auth.NotSignedIn, auth.not_signed_in)  # type: ignore[arg-type]
    app.add_exception_handler(auth.Refused, auth.refused)  # type: ignore[arg-type]
