"""Arrow schemas of the tables the generator writes; column names match the database."""

from __future__ import annotations

import pyarrow as pa

TS = pa.timestamp("us", tz="UTC")

SCHEMAS: dict[str, pa.Schema] = {
    "users": pa.schema(
        [
            ("id", pa.int64()),
            ("username", pa.string()),
            ("display_name", pa.string()),
            ("password_hash", pa.string()),
            ("role_code", pa.string()),
            ("active", pa.bool_()),
            ("failed_sign_ins", pa.int64()),
            ("created_at", TS),
        ]
    ),
    "neighbourhoods": pa.schema(
        [
            ("id", pa.int64()),
            ("code", pa.string()),
            ("name", pa.string()),
            ("settlement", pa.string()),
        ]
    ),
    "locations": pa.schema(
        [
            ("id", pa.int64()),
            ("description", pa.string()),
            ("postcode", pa.string()),
            ("neighbourhood_id", pa.int64()),
            ("settlement", pa.string()),
        ]
    ),
    "people": pa.schema(
        [
            ("id", pa.int64()),
            ("family_name", pa.string()),
            ("given_name", pa.string()),
            ("date_of_birth", pa.date32()),
            ("created_at", TS),
        ]
    ),
    "telephone_numbers": pa.schema([("id", pa.int64()), ("number", pa.string())]),
    "person_telephones": pa.schema(
        [("person_id", pa.int64()), ("telephone_number_id", pa.int64())]
    ),
    "contacts": pa.schema(
        [
            ("id", pa.int64()),
            ("channel", pa.string()),
            ("presented_at", TS),
            ("answered_at", TS),
            ("ended_at", TS),
            ("abandoned", pa.bool_()),
            ("handler_id", pa.int64()),
            ("person_id", pa.int64()),
            ("telephone_number_id", pa.int64()),
            ("location_id", pa.int64()),
            ("caller_name", pa.string()),
            ("summary", pa.string()),
            ("status", pa.string()),
            ("caller_given_name", pa.string()),
            ("caller_family_name", pa.string()),
            ("caller_date_of_birth", pa.date32()),
            ("caller_telephone", pa.string()),
            ("caller_postcode", pa.string()),
            ("source", pa.string()),
        ]
    ),
    "synthetic_ground_truth": pa.schema(
        [("contact_id", pa.int64()), ("true_person_id", pa.int64())]
    ),
    "thrive_assessments": pa.schema(
        [
            ("id", pa.int64()),
            ("contact_id", pa.int64()),
            ("assessed_by", pa.int64()),
            ("assessed_at", TS),
            ("threat", pa.int64()),
            ("harm", pa.int64()),
            ("risk", pa.int64()),
            ("investigation", pa.int64()),
            ("vulnerability", pa.int64()),
            ("engagement", pa.string()),
            ("indicators", pa.string()),
            ("vulnerability_flags", pa.string()),
            ("notes", pa.string()),
            ("suggested_grade", pa.int64()),
            ("suggestion_reasons", pa.string()),
        ]
    ),
    "incidents": pa.schema(
        [
            ("id", pa.int64()),
            ("contact_id", pa.int64()),
            ("grade", pa.int64()),
            ("suggested_grade", pa.int64()),
            ("departure_reason", pa.string()),
            ("graded_by", pa.int64()),
            ("location_id", pa.int64()),
            ("settlement", pa.string()),
            ("created_at", TS),
            ("updated_at", TS),
            ("status", pa.string()),
            ("deployed_at", TS),
            ("deployed_unit", pa.string()),
            ("deployed_by", pa.int64()),
            ("arrived_at", TS),
            ("body_worn_video", pa.bool_()),
            ("arrival_recorded_by", pa.int64()),
            ("closed_at", TS),
            ("closure", pa.string()),
            ("closure_note", pa.string()),
            ("closed_by", pa.int64()),
            ("domestic_abuse", pa.bool_()),
            ("closure_reason", pa.string()),
            ("attending_officer_id", pa.int64()),
            ("closure_rationale", pa.string()),
            ("closure_authority", pa.string()),
            ("closure_crime_id", pa.int64()),
        ]
    ),
    "partner_referrals": pa.schema(
        [
            ("id", pa.int64()),
            ("incident_id", pa.int64()),
            ("agency_code", pa.string()),
            ("note", pa.string()),
            ("referred_by", pa.int64()),
            ("referred_at", TS),
            ("status", pa.string()),
        ]
    ),
    "domestic_abuse_assessments": pa.schema(
        [
            ("id", pa.int64()),
            ("incident_id", pa.int64()),
            ("victim_person_id", pa.int64()),
            ("instrument", pa.string()),
            ("assessed_at", TS),
            ("refused", pa.bool_()),
            ("refusal_reason", pa.string()),
            ("answers", pa.string()),
            ("yes_count", pa.int64()),
            ("scored_level", pa.string()),
            ("final_level", pa.string()),
            ("judgement_rationale", pa.string()),
        ]
    ),
    "marac_referrals": pa.schema(
        [
            ("id", pa.int64()),
            ("assessment_id", pa.int64()),
            ("victim_person_id", pa.int64()),
            ("referred_at", TS),
            ("criterion", pa.string()),
            ("repeat_case", pa.bool_()),
        ]
    ),
    "crimes": pa.schema(
        [
            ("id", pa.int64()),
            ("incident_id", pa.int64()),
            ("crime_type", pa.string()),
            ("crime_group", pa.string()),
            ("recorded_at", TS),
            ("victim_person_id", pa.int64()),
            ("location_id", pa.int64()),
            ("domestic_abuse", pa.bool_()),
            ("allocated_at", TS),
            ("allocated_team", pa.string()),
            ("outcome_code", pa.int64()),
            ("outcome_at", TS),
            ("source", pa.string()),
            ("plan_due_at", TS),
            ("plan_written_at", TS),
            ("plan_checked_at", TS),
        ]
    ),
    "investigation_plans": pa.schema(
        [
            ("id", pa.int64()),
            ("crime_id", pa.int64()),
            ("written_at", TS),
            ("adequate", pa.bool_()),
            ("due_at", TS),
            ("checked_at", TS),
            ("check_adequate", pa.bool_()),
        ]
    ),
    "supervisor_reviews": pa.schema(
        [("id", pa.int64()), ("crime_id", pa.int64()), ("reviewed_at", TS)]
    ),
    "victim_contacts": pa.schema(
        [
            ("id", pa.int64()),
            ("crime_id", pa.int64()),
            ("event", pa.string()),
            ("event_at", TS),
            ("contacted_at", TS),
            ("victim_id", pa.int64()),
            ("due_at", TS),
            ("enhanced", pa.bool_()),
            ("required", pa.bool_()),
        ]
    ),
    "stop_searches": pa.schema(
        [
            ("id", pa.int64()),
            ("searched_at", TS),
            ("neighbourhood_id", pa.int64()),
            ("person_id", pa.int64()),
            ("object_of_search", pa.string()),
            ("outcome", pa.string()),
            ("led_to_arrest", pa.bool_()),
        ]
    ),
    "arrests": pa.schema(
        [
            ("id", pa.int64()),
            ("arrested_at", TS),
            ("person_id", pa.int64()),
            ("crime_id", pa.int64()),
            ("stop_search_id", pa.int64()),
            ("neighbourhood_id", pa.int64()),
        ]
    ),
    "crime_victims": pa.schema(
        [
            ("id", pa.int64()),
            ("crime_id", pa.int64()),
            ("person_id", pa.int64()),
            ("added_at", TS),
            ("assessed_at", TS),
            ("persistently_targeted", pa.bool_()),
            ("vulnerable", pa.bool_()),
            ("intimidated", pa.bool_()),
            ("enhanced", pa.bool_()),
            ("enhanced_grounds", pa.string()),
            ("wants_updates", pa.bool_()),
            ("support_due_at", TS),
            ("support_referred_at", TS),
            ("support_declined", pa.bool_()),
        ]
    ),
    "crime_admin_tasks": pa.schema(
        [
            ("id", pa.int64()),
            ("crime_id", pa.int64()),
            ("task", pa.string()),
            ("detail", pa.string()),
            ("requested_at", TS),
            ("due_at", TS),
            ("done_at", TS),
        ]
    ),
}

# Insert order that respects foreign keys.
TABLE_ORDER = list(SCHEMAS)


def empty_tables() -> dict[str, dict[str, list[object]]]:
    """Column lists to fill, one dict per table."""
    return {name: {f.name: [] for f in schema} for name, schema in SCHEMAS.items()}
