"""`comptoir governance tally ID [--json] | tick | parameters [NAME] | proposals`: governance from the shell.

`tally` recounts a closed vote from its published ballots and the rules frozen when it opened,
and says whether the recount matches the published result. Parameters cannot be set here:
only an adopted proposal changes them.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.core import formats
from comptoir.core.parameters import ParameterError, governed
from comptoir.governance import selectors, services
from comptoir.governance.models import Proposal


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


class Command(BaseCommand):
    help = "Governance: recount a vote, move proposals whose time has come, show parameters."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        tally = sub.add_parser("tally", help="Recount a closed vote from its published ballots.")
        tally.add_argument("proposal_id", type=int)
        tally.add_argument("--json", action="store_true")
        sub.add_parser("tick", help="Open, close and apply proposals whose time has come; send reminders.")
        params = sub.add_parser(
            "parameters", help="Governed parameters in force, or one parameter's history."
        )
        params.add_argument("name", nargs="?")
        params.add_argument("--json", action="store_true")
        proposals = sub.add_parser("proposals", help="List proposals.")
        proposals.add_argument("--json", action="store_true")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, "_" + action)(**options)

    def _tally(self, *, proposal_id: int, json: bool, **_: Any) -> None:
        proposal = Proposal.objects.filter(pk=proposal_id).first()
        if proposal is None:
            raise CommandError(f"no proposal #{proposal_id}")
        if not selectors.is_published(proposal):
            raise CommandError(
                f"proposal #{proposal_id} is {proposal.status}: its tally is published when the vote closes"
            )
        published = selectors.published_tally(proposal)
        data = {
            "proposal_id": proposal.pk, "status": proposal.status, "rules": proposal.rules,
            "ballots": [b.__dict__ for b in published.ballots], "result": published.recomputed,
            "published_result": published.result, "matches": published.matches,
        }  # fmt: skip
        if json:
            self.stdout.write(_json(data))
            return
        result = published.recomputed
        self.stdout.write(f"Proposal #{proposal.pk} {proposal.title}: {proposal.status}")
        for college, n in result["colleges"].items():  # type: ignore[attr-defined]
            self.stdout.write(f"  {college:<10} for {n['for']:>4}  against {n['against']:>4}  abstain {n['abstain']:>4}"
                              f"  of {n['electorate']:>4}  weight {n['weight']}")  # fmt: skip
        pct = {
            k: formats.percent(result[f"{k}_percent"], None, "en")
            for k in ("turnout", "quorum", "approval", "majority")
        }
        self.stdout.write(f"  turnout {pct['turnout']} (quorum {pct['quorum']}), "
                          f"approval {pct['approval']} (majority > {pct['majority']})")  # fmt: skip
        self.stdout.write(f"  recount matches the published result: {'yes' if published.matches else 'NO'}")

    def _tick(self, **_: Any) -> None:
        self.stdout.write(_json(services.tick()))

    def _parameters(self, *, name: str | None, json: bool, **_: Any) -> None:
        if name:
            try:
                rows = selectors.parameter_history(name)
            except ParameterError as error:
                raise CommandError(str(error)) from error
            data: Any = [{"version": r.version, "value": r.value, "applies_from": r.applies_from,
                          "proposal_id": r.proposal_id} for r in rows]  # fmt: skip
        else:
            data = {}
            for key in selectors.parameter_names():
                value = governed(key)
                data[key] = {"value": str(value.value), "version": value.version, "source": value.source}
        if json:
            self.stdout.write(_json(data))
        elif isinstance(data, dict):
            for key, value in data.items():
                self.stdout.write(f"{key:<32} {value['value']:>10}  {value['source']}")
        else:
            for row in data:
                self.stdout.write(f"v{row['version']:<3} {row['value']:>10}  from {row['applies_from']}  "
                                  f"proposal {row['proposal_id'] or 'founding'}")  # fmt: skip

    def _proposals(self, *, json: bool, **_: Any) -> None:
        rows = [{"id": p.pk, "status": p.status, "title": p.title, "voting_closes": p.voting_closes}
                for p in selectors.proposals()]  # fmt: skip
        if json:
            self.stdout.write(_json(rows))
        else:
            for row in rows:
                self.stdout.write(f"#{row['id']:<5} {row['status']:<11} {row['title']}")
