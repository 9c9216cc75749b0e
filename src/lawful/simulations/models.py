"""Simulations and sales processes a person starts online (activity 9), their steps, and the one
follow-up decided for each one left unfinished.

A simulation belongs to a person on file: a client, or a prospect (a person whose only tie with the
entity is the prospect relationship opened when they registered). What a prospect gives in the
simulation to be reached about it — an e-mail address, a phone number, and whether an adviser may
contact them — is kept on the simulation, for that simulation only, not added to their file.
Everything here is erased with the simulation, 30 days after it started (the register's retention).
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lawful.core.db import Base, UTCDateTime

PersonId = sa.String(32)


def _simulation_fk() -> sa.ForeignKey:
    return sa.ForeignKey("simulation.id", ondelete="CASCADE")


class Simulation(Base):
    __tablename__ = "simulation"
    __table_args__ = (
        sa.Index("ix_simulation_status_activity", "status", "last_activity_at"),
        sa.Index("ix_simulation_person", "person_id", "started_at"),
        sa.Index("ix_simulation_started", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(PersonId, sa.ForeignKey("person.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(sa.String(64))
    product: Mapped[str] = mapped_column(sa.String(32))  # loan, home-insurance, savings-plan
    channel: Mapped[str] = mapped_column(sa.String(16))  # app, website, assistant
    language: Mapped[str] = mapped_column(sa.String(2))  # the language the simulation ran in
    # in_progress, finished (the person went through to the end), abandoned (they stopped it)
    status: Mapped[str] = mapped_column(sa.String(16))
    # Given in the simulation, for it alone: may an adviser contact me, and where.
    contact_me: Mapped[bool] = mapped_column(sa.Boolean, default=False)
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    contact_phone: Mapped[str | None] = mapped_column(sa.String(20))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_activity_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class SimulationBuilding(Base):
    """The building a home-insurance quote is for: its address, its position (WGS 84, as a home
    policy keeps it) and when it was built (the year, and the day where the person gave it).
    Kept with the simulation and erased with it."""

    __tablename__ = "simulation_building"

    simulation_id: Mapped[int] = mapped_column(sa.Integer, _simulation_fk(), primary_key=True)
    street: Mapped[str] = mapped_column(sa.String(200))
    house_number: Mapped[str] = mapped_column(sa.String(16))
    postcode: Mapped[str] = mapped_column(sa.String(4))
    municipality: Mapped[str] = mapped_column(sa.String(100))
    latitude: Mapped[float] = mapped_column(sa.Float)
    longitude: Mapped[float] = mapped_column(sa.Float)
    construction_year: Mapped[int] = mapped_column(sa.Integer)
    construction_date: Mapped[dt.date | None] = mapped_column(sa.Date)


class SimulationStep(Base):
    """One step as the person completed it: its name and the answers given (JSON)."""

    __tablename__ = "simulation_step"
    __table_args__ = (sa.UniqueConstraint("simulation_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    simulation_id: Mapped[int] = mapped_column(sa.Integer, _simulation_fk())
    position: Mapped[int] = mapped_column(sa.Integer)
    name: Mapped[str] = mapped_column(sa.String(64))
    answers: Mapped[str] = mapped_column(sa.Text)  # a JSON object of the step's fields
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class FollowUp(Base):
    """The one follow-up decided for an unfinished simulation: its primary key is the
    simulation, so a job killed and rerun (or two at once) decides it once.

    `kind`: message (an offer of help through the outbox), task (an adviser of the entity
    contacts the person, who asked for it), suppressed (`reason`), or deciding (claimed by a run
    whose transaction has not ended)."""

    __tablename__ = "simulation_follow_up"
    __table_args__ = (sa.Index("ix_simulation_follow_up_task", "entity", "kind", "task_status"),)

    simulation_id: Mapped[int] = mapped_column(sa.Integer, _simulation_fk(), primary_key=True)
    person_id: Mapped[str] = mapped_column(PersonId, sa.ForeignKey("person.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(sa.String(64))
    kind: Mapped[str] = mapped_column(sa.String(16))
    reason: Mapped[str | None] = mapped_column(sa.String(64))
    notification_key: Mapped[str | None] = mapped_column(sa.String(128))
    task_status: Mapped[str | None] = mapped_column(sa.String(16))  # open, done (tasks only)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
