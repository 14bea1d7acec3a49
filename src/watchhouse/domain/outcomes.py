"""Home Office outcome types (0 to 22) and the rules for assigning one to a crime.

What each outcome means fixes what must be true of the suspect: a charge or a caution needs an
identified suspect, outcome 18 ("no suspect identified") cannot have one, outcome 14 is for an
unidentified suspect where the victim does not support action. Which outcomes need a written
rationale, and which are not normally used for domestic abuse without a supervisor's override,
are the force's policy (`OutcomeRules`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, IntEnum

from watchhouse.domain.errors import FieldProblem, ValidationFailed


class OutcomeType(IntEnum):
    """The Home Office outcome types; 0 is 'not yet assigned' and outside every rate."""

    PENDING = 0
    CHARGED_OR_SUMMONSED = 1
    CAUTION_YOUTH = 2
    CAUTION_ADULT = 3
    TAKEN_INTO_CONSIDERATION = 4
    OFFENDER_DIED = 5
    PENALTY_NOTICE_FOR_DISORDER = 6
    CANNABIS_OR_KHAT_WARNING = 7
    COMMUNITY_RESOLUTION = 8
    NOT_IN_PUBLIC_INTEREST_CPS = 9
    FORMAL_ACTION_NOT_IN_PUBLIC_INTEREST_POLICE = 10
    PROSECUTION_PREVENTED_SUSPECT_UNDER_AGE = 11
    PROSECUTION_PREVENTED_SUSPECT_TOO_ILL = 12
    PROSECUTION_PREVENTED_VICTIM_OR_WITNESS_DEAD_OR_ILL = 13
    EVIDENTIAL_DIFFICULTIES_SUSPECT_NOT_IDENTIFIED_VICTIM_DOES_NOT_SUPPORT = 14
    EVIDENTIAL_DIFFICULTIES_SUSPECT_IDENTIFIED_VICTIM_SUPPORTS = 15
    EVIDENTIAL_DIFFICULTIES_VICTIM_DOES_NOT_SUPPORT = 16
    PROSECUTION_TIME_LIMIT_EXPIRED = 17
    NO_SUSPECT_IDENTIFIED = 18
    NFIB_FILED = 19
    TRANSFERRED_TO_ANOTHER_BODY = 20
    FURTHER_INVESTIGATION_NOT_IN_PUBLIC_INTEREST = 21
    DIVERSIONARY_ACTIVITY = 22

    @property
    def label(self) -> str:
        """The outcome as the Home Office words it, shortened."""
        return LABELS[self]


LABELS: dict[OutcomeType, str] = {
    OutcomeType.PENDING: "Not yet assigned",
    OutcomeType.CHARGED_OR_SUMMONSED: "Charged or summonsed",
    OutcomeType.CAUTION_YOUTH: "Caution (youth)",
    OutcomeType.CAUTION_ADULT: "Caution (adult)",
    OutcomeType.TAKEN_INTO_CONSIDERATION: "Taken into consideration",
    OutcomeType.OFFENDER_DIED: "Offender died",
    OutcomeType.PENALTY_NOTICE_FOR_DISORDER: "Penalty notice for disorder",
    OutcomeType.CANNABIS_OR_KHAT_WARNING: "Cannabis or khat warning",
    OutcomeType.COMMUNITY_RESOLUTION: "Community resolution",
    OutcomeType.NOT_IN_PUBLIC_INTEREST_CPS: "Not in the public interest (CPS)",
    OutcomeType.FORMAL_ACTION_NOT_IN_PUBLIC_INTEREST_POLICE: (
        "Formal action not in the public interest (police)"
    ),
    OutcomeType.PROSECUTION_PREVENTED_SUSPECT_UNDER_AGE: "Prosecution prevented: suspect under age",
    OutcomeType.PROSECUTION_PREVENTED_SUSPECT_TOO_ILL: "Prosecution prevented: suspect too ill",
    OutcomeType.PROSECUTION_PREVENTED_VICTIM_OR_WITNESS_DEAD_OR_ILL: (
        "Prosecution prevented: victim or key witness dead or too ill"
    ),
    OutcomeType.EVIDENTIAL_DIFFICULTIES_SUSPECT_NOT_IDENTIFIED_VICTIM_DOES_NOT_SUPPORT: (
        "Evidential difficulties: suspect not identified, victim does not support action"
    ),
    OutcomeType.EVIDENTIAL_DIFFICULTIES_SUSPECT_IDENTIFIED_VICTIM_SUPPORTS: (
        "Evidential difficulties: suspect identified, victim supports action"
    ),
    OutcomeType.EVIDENTIAL_DIFFICULTIES_VICTIM_DOES_NOT_SUPPORT: (
        "Evidential difficulties: victim does not support or withdraws"
    ),
    OutcomeType.PROSECUTION_TIME_LIMIT_EXPIRED: "Prosecution time limit expired",
    OutcomeType.NO_SUSPECT_IDENTIFIED: "Investigation complete: no suspect identified",
    OutcomeType.NFIB_FILED: "National Fraud Intelligence Bureau filed",
    OutcomeType.TRANSFERRED_TO_ANOTHER_BODY: "Further investigation transferred to another body",
    OutcomeType.FURTHER_INVESTIGATION_NOT_IN_PUBLIC_INTEREST: (
        "Further investigation not in the public interest (police)"
    ),
    OutcomeType.DIVERSIONARY_ACTIVITY: "Diversionary, educational or intervention activity",
}


class Suspect(Enum):
    """What an outcome needs of the suspect."""

    IDENTIFIED = "identified"  # a suspect has been identified (named, or known by sight)
    NAMED = "named"  # a named suspect
    NOT_IDENTIFIED = "not_identified"  # no suspect has been identified
    ANY = "any"


# What the outcome's own definition needs of the suspect. Rationale and domestic abuse rules
# are policy, not here.
SUSPECT_NEEDED: dict[OutcomeType, Suspect] = {
    OutcomeType.CHARGED_OR_SUMMONSED: Suspect.NAMED,
    OutcomeType.CAUTION_YOUTH: Suspect.NAMED,
    OutcomeType.CAUTION_ADULT: Suspect.NAMED,
    OutcomeType.TAKEN_INTO_CONSIDERATION: Suspect.NAMED,
    OutcomeType.OFFENDER_DIED: Suspect.NAMED,
    OutcomeType.PENALTY_NOTICE_FOR_DISORDER: Suspect.NAMED,
    OutcomeType.CANNABIS_OR_KHAT_WARNING: Suspect.NAMED,
    OutcomeType.COMMUNITY_RESOLUTION: Suspect.NAMED,
    OutcomeType.NOT_IN_PUBLIC_INTEREST_CPS: Suspect.NAMED,
    OutcomeType.FORMAL_ACTION_NOT_IN_PUBLIC_INTEREST_POLICE: Suspect.NAMED,
    OutcomeType.PROSECUTION_PREVENTED_SUSPECT_UNDER_AGE: Suspect.IDENTIFIED,
    OutcomeType.PROSECUTION_PREVENTED_SUSPECT_TOO_ILL: Suspect.IDENTIFIED,
    OutcomeType.PROSECUTION_PREVENTED_VICTIM_OR_WITNESS_DEAD_OR_ILL: Suspect.IDENTIFIED,
    OutcomeType.EVIDENTIAL_DIFFICULTIES_SUSPECT_NOT_IDENTIFIED_VICTIM_DOES_NOT_SUPPORT: (
        Suspect.NOT_IDENTIFIED
    ),
    OutcomeType.EVIDENTIAL_DIFFICULTIES_SUSPECT_IDENTIFIED_VICTIM_SUPPORTS: Suspect.IDENTIFIED,
    OutcomeType.EVIDENTIAL_DIFFICULTIES_VICTIM_DOES_NOT_SUPPORT: Suspect.IDENTIFIED,
    OutcomeType.PROSECUTION_TIME_LIMIT_EXPIRED: Suspect.ANY,
    OutcomeType.NO_SUSPECT_IDENTIFIED: Suspect.NOT_IDENTIFIED,
    OutcomeType.NFIB_FILED: Suspect.ANY,
    OutcomeType.TRANSFERRED_TO_ANOTHER_BODY: Suspect.ANY,
    OutcomeType.FURTHER_INVESTIGATION_NOT_IN_PUBLIC_INTEREST: Suspect.NAMED,
    OutcomeType.DIVERSIONARY_ACTIVITY: Suspect.NAMED,
}

# The victim's position that the outcome records: 14 and 16 are for a victim who does not
# support action (16 records the withdrawal), 15 for one who does.
VICTIM_DOES_NOT_SUPPORT = frozenset(
    {
        OutcomeType.EVIDENTIAL_DIFFICULTIES_SUSPECT_NOT_IDENTIFIED_VICTIM_DOES_NOT_SUPPORT,
        OutcomeType.EVIDENTIAL_DIFFICULTIES_VICTIM_DOES_NOT_SUPPORT,
    }
)
VICTIM_SUPPORTS = frozenset(
    {OutcomeType.EVIDENTIAL_DIFFICULTIES_SUSPECT_IDENTIFIED_VICTIM_SUPPORTS}
)
RECORDS_WITHDRAWAL = frozenset({OutcomeType.EVIDENTIAL_DIFFICULTIES_VICTIM_DOES_NOT_SUPPORT})


@dataclass(frozen=True)
class OutcomeRules:
    """The force's rules for outcomes: which need a rationale, which need a supervisor's
    override for domestic abuse."""

    rationale_required: frozenset[OutcomeType]
    domestic_abuse_needs_override: frozenset[OutcomeType]


@dataclass(frozen=True)
class OutcomeDecision:
    """An outcome proposed for a crime, with what is known of the suspect and the victim."""

    outcome: OutcomeType
    rationale: str
    suspect_identified: bool
    suspect_named: bool
    domestic_abuse: bool
    victim_supports_action: bool | None
    victim_withdrawal: str
    override_reason: str
    by_supervisor: bool


def check_outcome(decision: OutcomeDecision, rules: OutcomeRules) -> None:
    """Refuse an outcome the crime's facts or the force's rules do not allow, naming each
    problem."""
    outcome = decision.outcome
    problems: list[FieldProblem] = []
    if outcome is OutcomeType.PENDING:
        raise ValidationFailed.one("outcome", "choose an outcome (0 means not yet assigned)")
    needed = SUSPECT_NEEDED[outcome]
    if needed is Suspect.NAMED and not decision.suspect_named:
        problems.append(FieldProblem("outcome", f"outcome {int(outcome)} needs a named suspect"))
    elif needed is Suspect.IDENTIFIED and not (
        decision.suspect_identified or decision.suspect_named
    ):
        problems.append(
            FieldProblem("outcome", f"outcome {int(outcome)} needs an identified suspect")
        )
    elif needed is Suspect.NOT_IDENTIFIED and (
        decision.suspect_identified or decision.suspect_named
    ):
        problems.append(
            FieldProblem(
                "outcome", f"outcome {int(outcome)} is for crimes where no suspect is identified"
            )
        )
    if outcome in VICTIM_DOES_NOT_SUPPORT and decision.victim_supports_action is True:
        problems.append(
            FieldProblem(
                "victim_supports_action",
                f"outcome {int(outcome)} is for a victim who does not support action",
            )
        )
    if outcome in VICTIM_SUPPORTS and decision.victim_supports_action is False:
        problems.append(
            FieldProblem(
                "victim_supports_action",
                f"outcome {int(outcome)} is for a victim who supports action",
            )
        )
    if outcome in RECORDS_WITHDRAWAL and not decision.victim_withdrawal.strip():
        problems.append(
            FieldProblem("victim_withdrawal", "record the victim's withdrawal and what they said")
        )
    if outcome in rules.rationale_required and not decision.rationale.strip():
        problems.append(
            FieldProblem("rationale", f"outcome {int(outcome)} needs a written rationale")
        )
    if decision.domestic_abuse and outcome in rules.domestic_abuse_needs_override:
        if not decision.by_supervisor:
            problems.append(
                FieldProblem(
                    "override_reason",
                    f"outcome {int(outcome)} is not normally used for domestic abuse; "
                    "a supervisor must give the override",
                )
            )
        elif not decision.override_reason.strip():
            problems.append(
                FieldProblem(
                    "override_reason",
                    f"outcome {int(outcome)} for domestic abuse needs the supervisor's "
                    "override reason",
                )
            )
    if problems:
        raise ValidationFailed(problems)
