"""ORM tables. Only db/ uses these; services get domain values from the repositories."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from watchhouse.db.types import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for migrations."""

    metadata = MetaData(naming_convention=NAMING)


class RoleRow(Base):
    """A role users can hold."""

    __tablename__ = "roles"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(80))


class UserRow(Base):
    """A person who signs in."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role_code: Mapped[str] = mapped_column(ForeignKey("roles.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", use_alter=True), index=True)
    # Set when an administrator creates the account or resets its password: the user must
    # choose their own password at the next sign-in (migration 0016).
    must_change_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )


class TeamRow(Base):
    """A team (control room, response, investigation, neighbourhood...) and its supervisor."""

    __tablename__ = "teams"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class UserSessionRow(Base):
    """A signed-in session (browser) or API token; only the token's digest is stored."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInThrottleRow(Base):
    """Failed sign-ins from one source address in the current window (shared by every worker)."""

    __tablename__ = "sign_in_throttle"
    source: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    failures: Mapped[int] = mapped_column(Integer)


class NeighbourhoodRow(Base):
    """A neighbourhood policing area, urban or rural."""

    __tablename__ = "neighbourhoods"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    settlement: Mapped[str] = mapped_column(String(10))
    __table_args__ = (CheckConstraint("settlement in ('urban', 'rural')", name="settlement"),)


class LocationRow(Base):
    """A place: an address or a description of a spot, with its neighbourhood."""

    __tablename__ = "locations"
    id: Mapped[int] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"))
    settlement: Mapped[str] = mapped_column(String(10))


class PersonRow(Base):
    """A member of the public known to the force."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(primary_key=True)
    family_name: Mapped[str] = mapped_column(String(120), index=True)
    given_name: Mapped[str] = mapped_column(String(120))
    date_of_birth: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The online check's "most recent people with this family name": PostgreSQL reads them
    # from here in order; with family_name alone it scanned every person, newest first, for a
    # name nobody has (about 180 ms at half a million people).
    __table_args__ = (Index("ix_people_family_name_id", "family_name", "id"),)


# Search by name compares lower(family name), then the given name's start (migration 0016).
Index("ix_people_lower_names", func.lower(PersonRow.family_name), func.lower(PersonRow.given_name))


class TelephoneNumberRow(Base):
    """A telephone number in E.164 form."""

    __tablename__ = "telephone_numbers"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)


class PersonTelephoneRow(Base):
    """That a person has been reached on a number (numbers are shared in households)."""

    __tablename__ = "person_telephones"
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), primary_key=True)
    telephone_number_id: Mapped[int] = mapped_column(
        ForeignKey("telephone_numbers.id"), primary_key=True, index=True
    )


class ContactRow(Base):
    """One contact from the public on any channel."""

    __tablename__ = "contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a record the force started (officer-initiated, radio, transfer): no public channel.
    channel: Mapped[str | None] = mapped_column(String(20))
    presented_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    abandoned: Mapped[bool] = mapped_column(Boolean, default=False)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Indexed by ix_contacts_person_presented (below: only the contacts linked to a person).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # Indexed by ix_contacts_number_presented (below: only the contacts with a number).
    telephone_number_id: Mapped[int | None] = mapped_column(ForeignKey("telephone_numbers.id"))
    # Looked up by location through ix_contacts_location_presented (it begins with it).
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    caller_name: Mapped[str | None] = mapped_column(String(240))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20))
    idempotency_key: Mapped[str | None] = mapped_column(String(120))
    # Whose key it is (each user's keys are their own) and a digest of the request it came
    # with: the same key with a different request is refused, not answered with this contact.
    idempotency_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    idempotency_body_sha256: Mapped[str | None] = mapped_column(String(64))
    caller_given_name: Mapped[str | None] = mapped_column(String(120))
    caller_family_name: Mapped[str | None] = mapped_column(String(120))
    caller_date_of_birth: Mapped[date | None] = mapped_column(Date)
    caller_telephone: Mapped[str | None] = mapped_column(String(40))
    caller_postcode: Mapped[str | None] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(
        String(40), default="watchhouse", server_default="watchhouse"
    )
    external_ref: Mapped[str | None] = mapped_column(String(80))
    origin: Mapped[str] = mapped_column(String(20), default="public", server_default="public")
    attributes: Mapped[dict[str, str] | None] = mapped_column(JSON)
    __table_args__ = (
        CheckConstraint("NOT (abandoned AND answered_at IS NOT NULL)", name="abandoned_unanswered"),
        UniqueConstraint("source", "external_ref", name="uq_contacts_source_external_ref"),
        UniqueConstraint(
            "idempotency_user_id", "idempotency_key", name="uq_contacts_idempotency_user_key"
        ),
        # The online check's repeat count for an address reads only the window's contacts.
        Index(
            "ix_contacts_location_presented",
            "location_id",
            "presented_at",
            postgresql_where=text("location_id IS NOT NULL"),
        ),
        # A person's contacts, newest first, read for at most a few (the caller check).
        Index(
            "ix_contacts_person_presented",
            "person_id",
            "presented_at",
            postgresql_where=text("person_id IS NOT NULL"),
        ),
        # A number's contacts in a window (the live repeat check), never the whole window's.
        Index(
            "ix_contacts_number_presented",
            "telephone_number_id",
            "presented_at",
            postgresql_where=text("telephone_number_id IS NOT NULL"),
        ),
    )


# The contacts' indexes on columns an imported record leaves empty (person, caller's name,
# location) hold only the rows with a value (0023): every look-up compares the indexed
# expression, which both planners take as implying it is not null, so none wants an empty
# one, and a command-and-control import writes no index entry for them (issue 14).
Index(
    "ix_contacts_lower_caller_names",
    func.lower(ContactRow.caller_family_name),
    func.lower(ContactRow.caller_given_name),
    postgresql_where=text("lower(caller_family_name) IS NOT NULL"),
    sqlite_where=text("lower(caller_family_name) IS NOT NULL"),
)


class ThriveAssessmentRow(Base):
    """A THRIVE assessment of a contact (re-assessments add rows)."""

    __tablename__ = "thrive_assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    assessed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    threat: Mapped[int] = mapped_column(Integer)
    harm: Mapped[int] = mapped_column(Integer)
    risk: Mapped[int] = mapped_column(Integer)
    investigation: Mapped[int] = mapped_column(Integer)
    vulnerability: Mapped[int] = mapped_column(Integer)
    engagement: Mapped[str] = mapped_column(String(40))
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    vulnerability_flags: Mapped[list[str] | None] = mapped_column(
        JSON, default=list, server_default="[]"
    )
    notes: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    suggested_grade: Mapped[int] = mapped_column(Integer)
    suggestion_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)


class IncidentRow(Base):
    """A graded incident, from creation to closure."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), unique=True)
    grade: Mapped[int] = mapped_column(Integer)
    suggested_grade: Mapped[int] = mapped_column(Integer)
    departure_reason: Mapped[str | None] = mapped_column(Text)
    graded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    settlement: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # Indexed by ix_incidents_status (below: only the incidents not closed).
    status: Mapped[str] = mapped_column(String(20))
    deployed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deployed_unit: Mapped[str | None] = mapped_column(String(40))
    deployed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    body_worn_video: Mapped[bool | None] = mapped_column(Boolean)
    arrival_recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure: Mapped[str | None] = mapped_column(String(40))
    closure_note: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    domestic_abuse: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    closure_reason: Mapped[str | None] = mapped_column(String(40))
    closure_rationale: Mapped[str | None] = mapped_column(Text)
    closure_authority: Mapped[str | None] = mapped_column(String(20))
    closure_crime_id: Mapped[int | None] = mapped_column(ForeignKey("crimes.id", use_alter=True))
    attending_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    __table_args__ = (
        CheckConstraint("grade between 1 and 4", name="grade_range"),
        # The open queue reads the incidents not closed; a closed one (every incident of an
        # imported history) needs no entry (0023).
        # (open_incidents says `status != 'closed'` as a literal, so both planners use it.)
        Index(
            "ix_incidents_status",
            "status",
            postgresql_where=text("status != 'closed'"),
            sqlite_where=text("status != 'closed'"),
        ),
    )


class ChangeCounterRow(Base):
    """One row whose value rises with every change a live queue shows (never a clock value)."""

    __tablename__ = "change_counter"
    id: Mapped[int] = mapped_column(primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class PartnerReferralRow(Base):
    """A referral of a contact to a partner agency."""

    __tablename__ = "partner_referrals"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text, default="")
    referred_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="made")
    outcome: Mapped[str | None] = mapped_column(Text)


class AccessLogRow(Base):
    """One DPA 2018 s.62 log entry. Append-only: triggers refuse updates and deletes."""

    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    username: Mapped[str] = mapped_column(String(80), index=True)
    operation: Mapped[str] = mapped_column(String(20), index=True)
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(40))
    justification: Mapped[str | None] = mapped_column(Text)
    recipient: Mapped[str | None] = mapped_column(String(240))
    __table_args__ = (Index("ix_access_log_record", "record_type", "record_id"),)


class GroundTruthRow(Base):
    """Synthetic data only: the true person behind each contact, kept aside for evaluation."""

    __tablename__ = "synthetic_ground_truth"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    true_person_id: Mapped[int] = mapped_column(Integer, index=True)


class DomesticAbuseAssessmentRow(Base):
    """A DASH (or DARA) risk assessment, or a victim's refusal to answer one."""

    __tablename__ = "domestic_abuse_assessments"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    victim_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    instrument: Mapped[str] = mapped_column(String(20))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    refused: Mapped[bool] = mapped_column(Boolean, default=False)
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    yes_count: Mapped[int | None] = mapped_column(Integer)
    scored_level: Mapped[str | None] = mapped_column(String(10))
    final_level: Mapped[str | None] = mapped_column(String(10))
    judgement_rationale: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default="complete", server_default="complete")
    assessed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MaracReferralRow(Base):
    """A referral to a multi-agency risk assessment conference."""

    __tablename__ = "marac_referrals"
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("domestic_abuse_assessments.id"))
    victim_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    criterion: Mapped[str] = mapped_column(String(30))
    repeat_case: Mapped[bool] = mapped_column(Boolean, default=False)


class CrimeRow(Base):
    """A recorded crime and where its investigation stands."""

    __tablename__ = "crimes"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"), index=True)
    crime_type: Mapped[str] = mapped_column(String(80))
    crime_group: Mapped[str] = mapped_column(String(60), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    victim_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"))
    domestic_abuse: Mapped[bool] = mapped_column(Boolean, default=False)
    allocated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    allocated_team: Mapped[str | None] = mapped_column(String(60))
    outcome_code: Mapped[int] = mapped_column(Integer, default=0)
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(
        String(40), default="watchhouse", server_default="watchhouse"
    )
    external_ref: Mapped[str | None] = mapped_column(String(80))
    # Recorded in watchhouse (the synthetic force and imports leave these empty). Ids added to
    # existing tables carry no foreign key constraint: SQLite can add one only by rebuilding the
    # table, which fails on a populated store; the services check them instead.
    contact_id: Mapped[int | None] = mapped_column(Integer)  # contacts.id
    offence_code: Mapped[str | None] = mapped_column(String(80))
    how_reported: Mapped[str | None] = mapped_column(String(20))
    hate_crime: Mapped[bool | None] = mapped_column(Boolean)
    summary: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(Integer)  # users.id
    awaiting_allocation: Mapped[bool | None] = mapped_column(Boolean)
    allocated_to: Mapped[int | None] = mapped_column(Integer)  # users.id
    supervisor_id: Mapped[int | None] = mapped_column(Integer)  # users.id
    allocated_by: Mapped[int | None] = mapped_column(Integer)  # users.id
    # Kept up to date by the services so that worklists are index look-ups.
    plan_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    plan_written_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    plan_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_review_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_victim_update_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_rationale: Mapped[str | None] = mapped_column(Text)
    outcome_by: Mapped[int | None] = mapped_column(Integer)  # users.id
    outcome_override_reason: Mapped[str | None] = mapped_column(Text)
    victim_supports_action: Mapped[bool | None] = mapped_column(Boolean)
    victim_withdrawal: Mapped[str | None] = mapped_column(Text)
    # The Home Office offence code a records system gave (issue 14; our offence_code is the
    # policy's offence list).
    home_office_code: Mapped[str | None] = mapped_column(String(20))
    __table_args__ = (
        CheckConstraint("outcome_code between 0 and 22", name="outcome_range"),
        UniqueConstraint("source", "external_ref", name="uq_crimes_source_external_ref"),
        # One index per part of a worklist: equality on the person, the open outcome and
        # the part's condition, then its deadline in order (bench/worklists.py).
        Index(
            "ix_crimes_investigator_plans",
            "allocated_to",
            "outcome_code",
            "plan_written_at",
            "plan_due_at",
        ),
        Index("ix_crimes_investigator_updates", "allocated_to", "next_victim_update_due_at"),
        Index(
            "ix_crimes_supervisor_reviews", "supervisor_id", "outcome_code", "next_review_due_at"
        ),
        Index(
            "ix_crimes_supervisor_plan_checks",
            "supervisor_id",
            "outcome_code",
            "plan_checked_at",
            "plan_written_at",
        ),
        Index(
            "ix_crimes_supervisor_plans",
            "supervisor_id",
            "outcome_code",
            "plan_written_at",
            "plan_due_at",
        ),
        Index("ix_crimes_supervisor_updates", "supervisor_id", "next_victim_update_due_at"),
        Index("ix_crimes_awaiting_allocation", "awaiting_allocation", "recorded_at"),
    )


class InvestigationPlanRow(Base):
    """An investigation plan written for a crime."""

    __tablename__ = "investigation_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crimes.id"), index=True)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)
    adequate: Mapped[bool] = mapped_column(Boolean)
    # Written in watchhouse: the structured plan, its automatic check and the supervisor's.
    written_by: Mapped[int | None] = mapped_column(Integer)  # users.id
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lines_of_enquiry: Mapped[list[str] | None] = mapped_column(JSON)
    evidence_to_secure: Mapped[list[str] | None] = mapped_column(JSON)
    safeguarding_actions: Mapped[list[str] | None] = mapped_column(JSON)
    suspect_strategy: Mapped[str | None] = mapped_column(Text)
    victim_needs: Mapped[str | None] = mapped_column(Text)
    gaps: Mapped[list[str] | None] = mapped_column(JSON)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_by: Mapped[int | None] = mapped_column(Integer)  # users.id
    check_adequate: Mapped[bool | None] = mapped_column(Boolean)
    check_note: Mapped[str | None] = mapped_column(Text)
    # The records system a plan was imported from (made again from its events at each import).
    source: Mapped[str | None] = mapped_column(String(40))


class SupervisorReviewRow(Base):
    """A supervisor's review of an investigation."""

    __tablename__ = "supervisor_reviews"
    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crimes.id"), index=True)
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by: Mapped[int | None] = mapped_column(Integer)  # users.id
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    direction: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(40))  # imported from a records system


class VictimContactRow(Base):
    """An update given to a victim about their crime."""

    __tablename__ = "victim_contacts"
    id: Mapped[int] = mapped_column(primary_key=True)
    crime_id: Mapped[int] = mapped_column(ForeignKey("crimes.id"), index=True)
    event: Mapped[str] = mapped_column(String(40))
    event_at: Mapped[datetime] = mapped_column(UTCDateTime)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Recorded in watchhouse: which victim, which key event, by when, and how it was given.
    victim_id: Mapped[int | None] = mapped_column(Integer, index=True)  # crime_victims.id
    crime_event_id: Mapped[int | None] = mapped_column(Integer)  # crime_events.id
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enhanced: Mapped[bool | None] = mapped_column(Boolean)
    required: Mapped[bool | None] = mapped_column(Boolean)
    method: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[int | None] = mapped_column(Integer)  # users.id
    source: Mapped[str | None] = mapped_column(String(40))  # imported from a records system


class StopSearchRow(Base):
    """A stop and search."""

    __tablename__ = "stop_searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    searched_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    object_of_search: Mapped[str] = mapped_column(String(80))
    outcome: Mapped[str] = mapped_column(String(80))
    led_to_arrest: Mapped[bool] = mapped_column(Boolean)


class ArrestRow(Base):
    """An arrest."""

    __tablename__ = "arrests"
    id: Mapped[int] = mapped_column(primary_key=True)
    arrested_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    crime_id: Mapped[int | None] = mapped_column(ForeignKey("crimes.id"))
    stop_search_id: Mapped[int | None] = mapped_column(ForeignKey("stop_searches.id"))
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"))


class ImportBatchRow(Base):
    """One run of an importer over one file: what it read, kept and rejected."""

    __tablename__ = "import_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    importer: Mapped[str] = mapped_column(String(40))
    source_file: Mapped[str] = mapped_column(String(400))
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_added: Mapped[int] = mapped_column(Integer, default=0)
    rows_duplicate: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    rows_filtered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class PoliceUkCrimeRow(Base):
    """A street-level crime as data.police.uk publishes it."""

    __tablename__ = "police_uk_crimes"
    id: Mapped[int] = mapped_column(primary_key=True)
    row_key: Mapped[bytes] = mapped_column(LargeBinary(16), unique=True)
    crime_id: Mapped[str | None] = mapped_column(String(80), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    reported_by: Mapped[str] = mapped_column(String(80))
    falls_within: Mapped[str] = mapped_column(String(80))
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    location: Mapped[str | None] = mapped_column(String(200))
    lsoa_code: Mapped[str | None] = mapped_column(String(12))
    lsoa_name: Mapped[str | None] = mapped_column(String(120))
    crime_type: Mapped[str] = mapped_column(String(80))
    last_outcome_category: Mapped[str | None] = mapped_column(String(200))
    context: Mapped[str | None] = mapped_column(Text)
    # The force whose file it came from, as data.police.uk names it (e.g. "west-yorkshire"):
    # from the published file name or the import's --force; None when neither gave one.
    published_force: Mapped[str | None] = mapped_column(String(80))


class PoliceUkOutcomeRow(Base):
    """An outcome as data.police.uk publishes it."""

    __tablename__ = "police_uk_outcomes"
    id: Mapped[int] = mapped_column(primary_key=True)
    row_key: Mapped[bytes] = mapped_column(LargeBinary(16), unique=True)
    crime_id: Mapped[str] = mapped_column(String(80), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    reported_by: Mapped[str] = mapped_column(String(80))
    falls_within: Mapped[str] = mapped_column(String(80))
    longitude: Mapped[float | None] = mapped_column(Float)
    latitude: Mapped[float | None] = mapped_column(Float)
    location: Mapped[str | None] = mapped_column(String(200))
    lsoa_code: Mapped[str | None] = mapped_column(String(12))
    lsoa_name: Mapped[str | None] = mapped_column(String(120))
    outcome_type: Mapped[str] = mapped_column(String(200))
    published_force: Mapped[str | None] = mapped_column(String(80))  # as on police_uk_crimes


class PoliceUkStopSearchRow(Base):
    """A stop and search as data.police.uk publishes it."""

    __tablename__ = "police_uk_stop_searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    row_key: Mapped[bytes] = mapped_column(LargeBinary(16), unique=True)
    force: Mapped[str] = mapped_column(String(80), index=True)
    search_type: Mapped[str] = mapped_column(String(60))
    searched_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    part_of_policing_operation: Mapped[bool | None] = mapped_column(Boolean)
    policing_operation: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    gender: Mapped[str | None] = mapped_column(String(20))
    age_range: Mapped[str | None] = mapped_column(String(20))
    self_defined_ethnicity: Mapped[str | None] = mapped_column(String(200))
    officer_defined_ethnicity: Mapped[str | None] = mapped_column(String(40))
    legislation: Mapped[str | None] = mapped_column(String(200))
    object_of_search: Mapped[str | None] = mapped_column(String(120))
    outcome: Mapped[str | None] = mapped_column(String(120))
    outcome_linked_to_object: Mapped[bool | None] = mapped_column(Boolean)
    removal_of_more_than_outer_clothing: Mapped[bool | None] = mapped_column(Boolean)


class ProblemSolvingPlanRow(Base):
    """A neighbourhood team's problem-solving plan for a repeat caller, number or address."""

    __tablename__ = "problem_solving_plans"
    id: Mapped[int] = mapped_column(primary_key=True)
    basis: Mapped[str] = mapped_column(String(20))
    subject_key: Mapped[str] = mapped_column(String(200), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    telephone_number_id: Mapped[int | None] = mapped_column(
        ForeignKey("telephone_numbers.id"), index=True
    )
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    trigger: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    status: Mapped[str] = mapped_column(String(10), index=True)
    review_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    result: Mapped[str | None] = mapped_column(Text)


class PlanActionRow(Base):
    """One action in a problem-solving plan."""

    __tablename__ = "plan_actions"
    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("problem_solving_plans.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdentityRunRow(Base):
    """One batch linkage of every contact record: the trained model and what it found."""

    __tablename__ = "identity_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    engine: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    threshold: Mapped[float] = mapped_column(Float)
    records: Mapped[int] = mapped_column(Integer)
    signatures: Mapped[int] = mapped_column(Integer)
    pairs: Mapped[int] = mapped_column(Integer)
    clusters: Mapped[int] = mapped_column(Integer)
    decisions: Mapped[int] = mapped_column(Integer)
    model_json: Mapped[str] = mapped_column(Text)
    precision: Mapped[float | None] = mapped_column(Float)
    recall: Mapped[float | None] = mapped_column(Float)


class IdentityClusterRow(Base):
    """The latest linkage's answer for one contact: the cluster (person) it belongs to, named
    by the smallest contact id in it, and how strongly it was linked."""

    __tablename__ = "identity_clusters"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    cluster_id: Mapped[int] = mapped_column(Integer, index=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("identity_runs.id"))
    match_probability: Mapped[float | None] = mapped_column(Float)


class IdentityDecisionRow(Base):
    """A supervisor's decision that two contacts are, or are not, the same person; kept
    across linkage runs."""

    __tablename__ = "identity_decisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    left_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    right_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), index=True)
    same_person: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(Text)
    decided_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ContactIdentifierRow(Base):
    """One of a force's own identifiers (policy `[identity] extra_identifiers`: PNC ID, NI
    number, email, address) given with a contact, normalised for its kind."""

    __tablename__ = "contact_identifiers"
    # The online check finds the people whose contacts carry the caller's identifier.
    __table_args__ = (Index("ix_contact_identifiers_name_value", "name", "value"),)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class IdentityLabelPairRow(Base):
    """A force's labelled pair of contacts (the same person or not), kept for measuring each
    linkage run; the smaller contact id is on the left."""

    __tablename__ = "identity_label_pairs"
    left_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    right_contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    same_person: Mapped[bool] = mapped_column(Boolean)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdentityLabelClusterRow(Base):
    """A force's labelled contact: the true person it belongs to (any label), kept for
    measuring each linkage run pairwise."""

    __tablename__ = "identity_label_clusters"
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id"), primary_key=True)
    person: Mapped[str] = mapped_column(String(120))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)


class IdentityRunMetricRow(Base):
    """A linkage run's accuracy on one basis: the stored labelled pairs or clusters, the
    supervisors' decisions (the model alone), or the synthetic force's ground truth."""

    __tablename__ = "identity_run_metrics"
    run_id: Mapped[int] = mapped_column(ForeignKey("identity_runs.id"), primary_key=True)
    basis: Mapped[str] = mapped_column(String(20), primary_key=True)
    labelled: Mapped[int] = mapped_column(Integer)
    precision: Mapped[float | None] = mapped_column(Float)
    recall: Mapped[float | None] = mapped_column(Float)
    f1: Mapped[float | None] = mapped_column(Float)


# Victims, suspects, key events and crime admin bureau tasks live in their own module (this one
# is long enough); importing it here puts them in Base.metadata wherever the tables are used.
# The audit regime's tables live in their own module; importing it here puts them on
# Base.metadata wherever the tables are used (migrations, tests, repositories).
import watchhouse.db.audit_tables  # noqa: E402, F401
from watchhouse.db import investigation_tables as _investigation_tables  # noqa: E402

# Demand forecasts and staffing plans, likewise.
from watchhouse.db.planning_tables import (  # noqa: E402
    ForecastIntervalRow,
    ForecastRunRow,
    RosterShiftRow,
    StaffingIntervalRow,
    StaffingPlanRow,
)

__all__ = [
    "Base",
    "ForecastIntervalRow",
    "ForecastRunRow",
    "RosterShiftRow",
    "StaffingIntervalRow",
    "StaffingPlanRow",
    "_investigation_tables",
]

from watchhouse.db import telephony_tables as _telephony_tables  # noqa: E402,F401
