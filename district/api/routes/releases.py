"""Releases: the Pi asks whether an update is due; admins publish releases and resume rollouts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from district.api.deps import Credentials, Ctx, CurrentUser, bearer_token
from district.api.errors import ERROR_SCHEMA
from district.errors import Forbidden
from district.i18n import _
from district.pis import service as pis
from district.releases import service as releases

router = APIRouter(tags=["releases"])
_ERR = {"content": {"application/json": {"schema": ERROR_SCHEMA}}}
Version = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.+_-]+$")]


class ReleaseIn(BaseModel):
    """A release to roll out: its version, where pip gets it (a wheel URL), its SHA-256."""

    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z.+_-]+$")]
    url: Annotated[str, Field(min_length=1, max_length=500, pattern=r"^https?://\S+$")]
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")] | None = None


class ReleaseOffer(BaseModel):
    """What a Pi installs: version, wheel URL, SHA-256."""

    version: str
    url: str
    sha256: str | None


class RolloutOut(BaseModel):
    """A release's rollout: stage, share of the fleet offered, pause and how many Pis run it."""

    version: str
    url: str
    sha256: str | None
    stage: int
    share: float
    paused: bool
    reason: str
    pis_running: int
    pis_total: int


@router.get("/pis/{pi_id}/release", response_model=ReleaseOffer,
            responses={204: {"description": "no update due for this Pi"},
                       401: {"description": "unknown Pi or wrong token", **_ERR},
                       403: {"description": "retired Pi", **_ERR}})
def release_for_pi(pi_id: Annotated[str, Path(min_length=1, max_length=64)], ctx: Ctx,
                   credentials: Credentials) -> Any:
    """The release this Pi should install now, or 204 (not its stage yet, paused, or current)."""
    with ctx.tx() as session:
        pi = pis.authenticate_pi(session=session, pi_id=pi_id, token=bearer_token(credentials))
        offer = releases.offer_for(session=session, pi=pi, now=ctx.now())
    return Response(status_code=204) if offer is None else offer


@router.post("/releases", response_model=RolloutOut, status_code=201,
             responses={403: {"description": "not a district admin", **_ERR}, 409: {"description": "version exists", **_ERR}})
def add_release(body: ReleaseIn, ctx: Ctx, user: CurrentUser) -> Any:
    """Publish a release; its rollout starts with a few Pis."""
    user.require_admin()
    with ctx.tx() as session:
        releases.add_release(session=session, version=body.version, url=body.url, sha256=body.sha256, now=ctx.now())
        return next(r for r in releases.rollout_status(session=session) if r["version"] == body.version)


@router.get("/releases", response_model=list[RolloutOut])
def list_releases(ctx: Ctx, user: CurrentUser) -> Any:
    """Every release and how far its rollout went (district admin and analyst)."""
    if user.role not in ("admin", "analyst"):
        raise Forbidden(_("only the district office may see releases"))
    with ctx.tx() as session:
        return releases.rollout_status(session=session)


@router.post("/releases/{version}/resume", response_model=RolloutOut,
             responses={403: {"description": "not a district admin", **_ERR}, 404: {"description": "no such release", **_ERR}})
def resume_release(version: Version, ctx: Ctx, user: CurrentUser) -> Any:
    """Resume a rollout that paused itself."""
    user.require_admin()
    with ctx.tx() as session:
        releases.resume(session=session, version=version)
        return next(r for r in releases.rollout_status(session=session) if r["version"] == version)
