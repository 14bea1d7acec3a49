"""Fact tables built once when an engine loads a snapshot: each record with its neighbourhood,
channel, grade and the flags the measures count, so no measure repeats a join.

Cut values are never NULL here ("unknown" for no neighbourhood, "ungraded" for no incident; an
incident the force started has no channel, so its origin stands in the channel cut): in the
measures' grouping sets a NULL cut column means "not cut by this".

Contact facts are the public's contacts only: a record the force started itself (officer
initiated, radio, a transfer from another agency; `origin` not public) is in the incident facts
(attendance counts it) but not the contact facts. A flag the source of an imported record never
held (THRIVE, body-worn video) is NULL, "not recorded", never FALSE: `IMPORTED` tells them apart
from a contact taken here, where no THRIVE or no body-worn video answer means "not done"."""

from __future__ import annotations

# The 999 and 101 answer measures read `answer_facts`: for each channel and local day, the
# records of the best source the force has for that day: the telephony platform's per-call
# records (live feed or imported), else its interval statistics, else the contacts' own times
# (typed by handlers or imported). `answer_source` says which; `counted` marks the rows of the
# chosen source, `counted_wait` those of the best source with a wait per call (intervals have
# none). A row counts `calls` calls, `finished` of them answered or abandoned.
ANSWER_SOURCES = ("telephony_calls", "telephony_intervals", "contacts")
ANSWER_FACTS = """
WITH a AS (
  SELECT 'telephony_calls' AS answer_source, 1 AS source_rank, tc.contact_id AS id,
         tc.channel, tc.presented_day AS day, tc.presented_us, tc.answered_us,
         CAST(NULL AS BIGINT) AS interval_id, 1 AS calls,
         CASE WHEN tc.answered_us IS NOT NULL OR tc.abandoned_us IS NOT NULL THEN 1 ELSE 0 END
           AS finished,
         CASE WHEN tc.answered_us IS NULL AND tc.abandoned_us IS NOT NULL THEN 1 ELSE 0 END
           AS abandoned,
         COALESCE(cf.hood, 'unknown') AS hood, COALESCE(cf.grade_text, 'ungraded') AS grade_text
  FROM telephony_calls tc
  LEFT JOIN contact_facts cf ON cf.id = tc.contact_id
  WHERE tc.channel IN ('999', '101') AND tc.presented_us IS NOT NULL
  UNION ALL
  SELECT 'telephony_intervals', 2, CAST(NULL AS BIGINT), ti.channel, ti.interval_start_day,
         ti.interval_start_us, CAST(NULL AS BIGINT), ti.id, ti.offered,
         ti.answered + ti.abandoned, ti.abandoned, 'unknown', 'ungraded'
  FROM telephony_intervals ti
  WHERE ti.channel IN ('999', '101')
  UNION ALL
  SELECT 'contacts', 3, f.id, f.channel, f.presented_day, f.presented_us, f.answered_us,
         CAST(NULL AS BIGINT), 1,
         CASE WHEN f.answered_us IS NOT NULL OR f.abandoned THEN 1 ELSE 0 END,
         CASE WHEN f.abandoned THEN 1 ELSE 0 END, f.hood, f.grade_text
  FROM contact_facts f
  WHERE f.channel IN ('999', '101')
),
best AS (
  SELECT channel, day, MIN(source_rank) AS source_rank,
         MIN(CASE WHEN source_rank <> 2 THEN source_rank END) AS wait_rank
  FROM a GROUP BY channel, day
)
SELECT a.*, a.source_rank = b.source_rank AS counted,
       COALESCE(a.source_rank = b.wait_rank, FALSE) AS counted_wait
FROM a JOIN best b ON b.channel = a.channel AND b.day = a.day"""

UNKNOWN = "unknown"
UNGRADED = "ungraded"
PUBLIC = "COALESCE(c.origin, 'public') = 'public'"
IMPORTED = "COALESCE(c.source, 'watchhouse') <> 'watchhouse'"

FACTS: dict[str, str] = {
    "contact_facts": f"""
SELECT c.id, c.channel, c.presented_us, c.presented_day, c.answered_us,
       COALESCE(c.abandoned, FALSE) AS abandoned, c.person_id, c.telephone_number_id,
       COALESCE(n.code, '{UNKNOWN}') AS hood,
       COALESCE(CAST(i.grade AS VARCHAR), '{UNGRADED}') AS grade_text,
       i.id AS incident_id,
       CASE WHEN t.contact_id IS NOT NULL THEN TRUE WHEN {IMPORTED} THEN NULL ELSE FALSE END
         AS has_thrive,
       pr.incident_id IS NOT NULL AS has_referral,
       COALESCE(2 * ic.cluster_id, 2 * c.person_id + 1) AS caller,
       {IMPORTED} AS imported
FROM contacts c
LEFT JOIN locations l ON l.id = c.location_id
LEFT JOIN neighbourhoods n ON n.id = l.neighbourhood_id
LEFT JOIN incidents i ON i.contact_id = c.id
LEFT JOIN (SELECT DISTINCT contact_id FROM thrive_assessments) t ON t.contact_id = c.id
LEFT JOIN (SELECT DISTINCT incident_id FROM partner_referrals) pr ON pr.incident_id = i.id
LEFT JOIN identity_clusters ic ON ic.contact_id = c.id
WHERE {PUBLIC}""",
    "incident_facts": f"""
SELECT i.id, i.grade, CAST(i.grade AS VARCHAR) AS grade_text, i.settlement,
       i.created_us, i.created_day, i.arrived_us, i.arrived_day,
       CASE WHEN i.body_worn_video IS NULL AND {IMPORTED} THEN NULL
            ELSE COALESCE(i.body_worn_video, FALSE) END AS body_worn_video,
       COALESCE(c.channel, c.origin, '{UNKNOWN}') AS channel,
       COALESCE(c.origin, 'public') AS origin, COALESCE(n.code, '{UNKNOWN}') AS hood,
       (COALESCE(i.domestic_abuse, FALSE) OR da.incident_id IS NOT NULL
        OR dc.incident_id IS NOT NULL) AS domestic_abuse,
       done.incident_id IS NOT NULL AS risk_assessed
FROM incidents i
JOIN contacts c ON c.id = i.contact_id
LEFT JOIN locations l ON l.id = COALESCE(i.location_id, c.location_id)
LEFT JOIN neighbourhoods n ON n.id = l.neighbourhood_id
LEFT JOIN (SELECT DISTINCT incident_id FROM domestic_abuse_assessments) da
  ON da.incident_id = i.id
LEFT JOIN (SELECT DISTINCT incident_id FROM crimes WHERE domestic_abuse) dc
  ON dc.incident_id = i.id
LEFT JOIN (SELECT DISTINCT incident_id FROM domestic_abuse_assessments
           WHERE COALESCE(status, 'complete') = 'complete' AND NOT COALESCE(refused, FALSE)) done
  ON done.incident_id = i.id""",
    "crime_facts": f"""
SELECT cr.id, cr.crime_group, cr.recorded_day, cr.allocated_us, cr.allocated_day,
       cr.outcome_code, cr.outcome_us, cr.outcome_day,
       COALESCE(cr.domestic_abuse, FALSE) AS domestic_abuse,
       COALESCE(n.code, '{UNKNOWN}') AS hood,
       COALESCE(CAST(i.grade AS VARCHAR), '{UNGRADED}') AS grade_text,
       p.crime_id IS NOT NULL AS has_plan, r.first_us AS first_review_us,
       cr.plan_due_us, COALESCE(cr.plan_written_us, p.first_us) AS plan_written_us
FROM crimes cr
LEFT JOIN incidents i ON i.id = cr.incident_id
LEFT JOIN locations l ON l.id = cr.location_id
LEFT JOIN neighbourhoods n ON n.id = l.neighbourhood_id
LEFT JOIN (SELECT crime_id, MIN(written_us) AS first_us FROM investigation_plans
           GROUP BY crime_id) p ON p.crime_id = cr.id
LEFT JOIN (SELECT crime_id, MIN(reviewed_us) AS first_us FROM supervisor_reviews
           GROUP BY crime_id) r ON r.crime_id = cr.id""",
    "answer_facts": ANSWER_FACTS,
}
