"""The content library: publish a document for a tier and up, see who sees it and how often
partners opened it. Files are stored once (by SHA-256) and only ever offered as downloads."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from workbench.domain import attachments as file_rules
from workbench.domain.model import TIERS
from workbench.server import admin
from workbench.server.console.auth import SignedIn, act, form_of, see_other
from workbench.server.console.web import render

router = APIRouter()
_FORM_OVERHEAD = 64 * 1024  # the other fields and the multipart boundaries


def _page(request: Request, *, errors: dict | None = None, values: dict | None = None,
          status: int = 200) -> Response:
    items = admin.content_library(request.app.state.engine)
    return render(request, "content.html", status_code=status, items=items, tiers=TIERS,
                  errors=errors or {}, values=values or {}, limit=file_rules.MAX_LABEL,
                  done=request.query_params.get("done"))


@router.get("/console/content")
def content_library(request: Request, session: SignedIn) -> Response:
    return _page(request)


@router.post("/console/content")
async def publish(request: Request, session: SignedIn) -> Response:
    declared = request.headers.get("content-length") or ""
    if declared.isdigit() and int(declared) > file_rules.MAX_BYTES + _FORM_OVERHEAD:
        return _page(request, errors={"file": f"File: at most {file_rules.MAX_LABEL} per "
                                               "document"}, status=413)
    values = await form_of(request, session)
    upload = (await request.form()).get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _page(request, errors={"file": "File: choose the document to publish"},
                     values=values, status=422)
    folder = Path(tempfile.mkdtemp(prefix="publish-"))
    try:
        path = folder / "upload"
        with path.open("wb") as out:
            await run_in_threadpool(shutil.copyfileobj, upload.file, out)
        published = await act(session, admin.publish_content, request.app.state.engine, path,
                              values.get("title", ""), tier=values.get("tier") or None,
                              description=values.get("description") or None,
                              filename=upload.filename)
    except admin.AdminError as error:
        field = error.field if error.field in ("title", "tier") else "file"
        message = str(error)
        for name in ("file", "title", "tier"):
            message = message.replace(f"{name}:", f"{name.capitalize()}:", 1)
        return _page(request, errors={field: message}, values=values, status=422)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    seen = f"{published['partners']} partner(s) receive it at their next sync"
    return see_other(f"/console/content?done={quote('published; ' + seen)}")
