"""The Pi's side of the API (``sync/schema.py`` is the contract): enrol, upload, config."""

from __future__ import annotations

import json
import logging
import zlib
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from district.api.deps import Credentials, Ctx, bearer_token
from district.api.errors import ERROR_SCHEMA, describe_validation
from district.errors import BadInput, Conflict, TooLarge
from district.i18n import _
from district.ingest import service as ingest
from district.org import service as org
from district.pis import service as pis
from district.web.data import closed_faults_config
from sync.schema import BatchAck, EnrollRequest, EnrollResponse, EventBatch

log = logging.getLogger(__name__)
router = APIRouter(tags=["sync"])
PiId = Annotated[str, Path(min_length=1, max_length=64)]
_ERR = {"content": {"application/json": {"schema": ERROR_SCHEMA}}}
EVENTS_DOC: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EventBatch"}}},
        "description": "an EventBatch; the body may be gzip-compressed (Content-Encoding: gzip)",
    },
    "responses": {
        "401": {"description": "unknown Pi or wrong token", **_ERR},
        "403": {"description": "retired Pi", **_ERR},
        "409": {"description": "a different event under a stored seq; the Pi is flagged", **_ERR},
        "413": {"description": "body too large", **_ERR},
        "422": {"description": "malformed batch or event in the future", **_ERR},
    },
}


@router.post("/enroll", response_model=EnrollResponse, status_code=201,
             responses={401: {"description": "unknown, used, expired or revoked code", **_ERR}})
def enroll(body: EnrollRequest, ctx: Ctx) -> EnrollResponse:
    """Exchange a single-use enrolment code for a Pi id and a secret token (shown once)."""
    now = ctx.now()
    with ctx.tx() as session:
        pi, token, school, room = pis.enroll(session=session, code=body.code, room_code=body.room, hostname=body.hostname, version=body.version, now=now)
        log.info("pi %s enrolled in %s/%s", pi.id, school.code, room.code)
        return EnrollResponse(pi_id=pi.id, token=token, school=school.code, room=room.code, server_time=now)


async def _read_body(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        raise TooLarge(_("body of {size} bytes exceeds the limit of {limit}").format(size=length, limit=limit))
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise TooLarge(_("body exceeds the limit of {limit} bytes").format(limit=limit))
    encoding = request.headers.get("content-encoding", "identity").lower().strip()
    if encoding == "gzip":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            raw = inflater.decompress(raw, limit + 1)
        except zlib.error:
            raise BadInput(_("body is not valid gzip"), code="bad_gzip") from None
        if len(raw) > limit or inflater.unconsumed_tail:
            raise TooLarge(_("decompressed body exceeds the limit of {limit} bytes").format(limit=limit))
    elif encoding not in ("identity", ""):
        raise BadInput(_("unsupported Content-Encoding {value!r}; use gzip").format(value=encoding), code="bad_encoding")
    return raw


def _parse_batch(raw: bytes) -> EventBatch:
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadInput(_("malformed JSON: {error}").format(error=exc), code="malformed_json") from None
    try:
        return EventBatch.model_validate(data)
    except ValidationError as exc:
        raise BadInput(describe_validation(list(exc.errors(include_url=False))), code="invalid") from None


@router.post("/pis/{pi_id}/events", response_model=BatchAck, openapi_extra=EVENTS_DOC)
async def upload_events(pi_id: PiId, request: Request, ctx: Ctx, credentials: Credentials) -> BatchAck:
    """Store a batch of events; idempotent on (pi, seq); answers what the server holds."""
    token = bearer_token(credentials)
    with ctx.tx() as session:  # authenticate before reading a large body
        pis.authenticate_pi(session=session, pi_id=pi_id, token=token)
    raw = await _read_body(request, ctx.settings.max_body_bytes)
    batch = _parse_batch(raw)
    return await run_in_threadpool(_store, ctx, pi_id, token, batch)


def _store(ctx: Any, pi_id: str, token: str | None, batch: EventBatch) -> BatchAck:
    received_at = ctx.now()
    try:
        with ctx.tx() as session:
            pi = pis.authenticate_pi(session=session, pi_id=pi_id, token=token)
            return ingest.ingest_batch(
                session=session, pi=pi, batch=batch, received_at=received_at,
                future_tolerance_s=ctx.settings.future_tolerance_s,
            )
    except Conflict as exc:
        with ctx.tx() as session:  # the batch is rolled back; the flag is kept
            ingest.flag_pi(session=session, pi_id=pi_id, reason=exc.message)
        raise


@router.get("/pis/{pi_id}/config", responses={304: {"description": "unchanged since If-None-Match"}, 401: {"description": "unknown Pi or wrong token", **_ERR}})
def pi_config(
    pi_id: PiId, ctx: Ctx, credentials: Credentials, response: Response,
    if_none_match: Annotated[str | None, Header(max_length=200)] = None,
) -> Any:
    """The room configuration of the Pi (the TOML shape without ``[agent]``), with an ETag."""
    with ctx.tx() as session:
        pi = pis.authenticate_pi(session=session, pi_id=pi_id, token=bearer_token(credentials))
        room = session.get(org.models.Room, pi.room_id)
        assert room is not None
        config = org.room_config(session=session, room=room)
        # a fault closed on the dashboard reaches the kiosk with the config (and changes the ETag)
        config.update(closed_faults_config(session, room.id))
    etag = org.config_etag(config)
    if if_none_match is not None and etag in [t.strip() for t in if_none_match.split(",")]:
        return Response(status_code=304, headers={"ETag": etag})
    response.headers["ETag"] = etag
    return config
