"""The partner's flood data (risk zones, building classes) and the proposals made from it.

Geometry is kept as WKB in Belgian Lambert 72 (EPSG:31370), a metric system in which polygons
are subdivided and distances measured; its bounding box lets a reader skip what is far away.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime
from lawful.customers.models import PersonId


class FloodImport(Base):
    """One file received from the partner; each import replaces the data set before it."""

    __tablename__ = "flood_import"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(sa.String(200))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    zones: Mapped[int] = mapped_column(sa.Integer)
    buildings: Mapped[int] = mapped_column(sa.Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class FloodZone(Base):
    """A legal risk zone and the publication date of the royal decree that delimited it."""

    __tablename__ = "flood_zone"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(sa.String(64), unique=True)
    region: Mapped[str | None] = mapped_column(sa.String(16))
    decree_published_on: Mapped[dt.date] = mapped_column(sa.Date)
    geometry: Mapped[bytes] = mapped_column(sa.LargeBinary)  # WKB, EPSG:31370


class FloodBuilding(Base):
    """A building the partner scored: where it stands (EPSG:31370) and its class, A to D."""

    __tablename__ = "flood_building"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(sa.String(64))
    x: Mapped[float] = mapped_column(sa.Float)
    y: Mapped[float] = mapped_column(sa.Float)
    flood_class: Mapped[str] = mapped_column(sa.String(1))


class FloodAssessment(Base):
    """What the data proposes for one home policy or one home-insurance quote (a simulation),
    and what an underwriter made of it.

    `proposed` is the machine's; `decided` is empty until the proposal takes effect: at once
    when nothing adverse is proposed, otherwise only through an underwriter's review, which
    names the underwriter and their reasons (sealed with the person's key). A contest by the
    customer sends it back for review. A quote's assessment goes with the simulation."""

    __tablename__ = "flood_assessment"
    __table_args__ = (
        sa.Index("ix_flood_assessment_entity_status", "entity", "status", "id"),
        sa.Index("ix_flood_assessment_person", "person_id"),
        # Of a home policy or of a quote, never both, never neither.
        sa.CheckConstraint(
            "(policy_id IS NULL) <> (simulation_id IS NULL)", name="policy_or_quote"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    policy_id: Mapped[int | None] = mapped_column(sa.Integer, unique=True)
    simulation_id: Mapped[int | None] = mapped_column(
        sa.Integer, sa.ForeignKey("simulation.id", ondelete="CASCADE"), unique=True
    )
    person_id: Mapped[str] = mapped_column(PersonId, sa.ForeignKey("person.id"))
    entity: Mapped[str] = mapped_column(sa.String(64))
    zone_ref: Mapped[str | None] = mapped_column(sa.String(64))
    decree_published_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    flood_class: Mapped[str | None] = mapped_column(sa.String(1))
    construction_year: Mapped[int] = mapped_column(sa.Integer)
    proposed: Mapped[str] = mapped_column(sa.String(8))  # cover, loading, refuse
    proposed_loading_bp: Mapped[int] = mapped_column(sa.Integer)
    refusable: Mapped[bool] = mapped_column(sa.Boolean)
    status: Mapped[str] = mapped_column(sa.String(16))  # pending_review, contested, in_effect
    decided: Mapped[str | None] = mapped_column(sa.String(8))
    decided_loading_bp: Mapped[int | None] = mapped_column(sa.Integer)
    reviewed_by: Mapped[str | None] = mapped_column(sa.String(64))
    review_reasons: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    contest: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    contested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    assessed_on: Mapped[dt.date] = mapped_column(sa.Date)
