"""`comptoir roads import FILE.osm.pbf`: build the road graphs the planner's travel times use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.delivery.planner.roads import (
    PROFILES,
    ROAD_DATA_ATTRIBUTION,
    RoadGraphBuildError,
    build_road_graph,
)


class Command(BaseCommand):
    help = (
        "Import an OpenStreetMap extract as road graphs (one per vehicle profile) under COMPTOIR_HOME/roads."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["import"])
        parser.add_argument("file", help="an .osm.pbf extract, e.g. from download.geofabrik.de")
        parser.add_argument(
            "--profiles", default="bicycle,car", help=f"comma-separated, among {', '.join(PROFILES)}"
        )

    def handle(self, *args: Any, action: str, file: str, profiles: str, **options: Any) -> None:
        wanted = [p.strip() for p in profiles.split(",") if p.strip()]
        try:
            figures = build_road_graph(file, settings.COMPTOIR_HOME, wanted)
        except (RoadGraphBuildError, ValueError, FileNotFoundError) as error:
            raise CommandError(str(error)) from error
        for profile, built in figures["profiles"].items():
            self.stdout.write(
                f"{profile}: {built['seconds']:.1f} s, {built['bytes'] / 1e6:.1f} MB → {built['path']}"
            )
        self.stdout.write(ROAD_DATA_ATTRIBUTION)
